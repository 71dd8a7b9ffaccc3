// Resampling.swift — image resizing as Pillow (PIL) does it, on 8-bit planes.
//
// The reference code resizes PIL images through torchvision (`transforms.Resize`), so this file
// implements the same separable convolution resampler, to the bit:
//   - each output pixel xx has its centre at (xx + 0.5)·scale in input coordinates,
//     scale = inSize / outSize;
//   - when shrinking (scale > 1) the filter is stretched by `scale` (support · scale), which is
//     PIL's antialiasing; when enlarging it keeps its natural support;
//   - weights are normalised to sum 1, then quantised to fixed point with 22 fractional bits
//     (PIL's PRECISION_BITS = 32 − 8 − 2) and each pass rounds and clamps to 0…255;
//   - the horizontal pass runs first, then the vertical pass.
// Filters: bilinear = triangle of support 1; bicubic = Keys' cubic with a = −0.5, support 2.

import Foundation

/// A resampling filter (the two torchvision uses here).
public enum ResampleFilter: Sendable {
    /// Triangle filter, support 1 (PIL `BILINEAR`, torchvision's default for `Resize`).
    case bilinear
    /// Keys' cubic convolution with a = −0.5, support 2 (PIL `BICUBIC`).
    case bicubic

    var support: Double { self == .bilinear ? 1 : 2 }

    func weight(_ x: Double) -> Double {
        let x = abs(x)
        switch self {
        case .bilinear:
            return x < 1 ? 1 - x : 0
        case .bicubic:
            let a = -0.5
            if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
            if x < 2 { return (((x - 5) * x + 8) * x - 4) * a }
            return 0
        }
    }
}

/// Fixed-point weights of one resampling pass: for each output index, the first input index, the
/// window length, and the weights (in rows of `taps`, the longest possible window).
struct ResampleCoefficients: Sendable {
    static let precisionBits = 22
    let first: [Int]
    let counts: [Int]
    let taps: Int
    let weights: [Int]

    init(inSize: Int, outSize: Int, filter: ResampleFilter) {
        let scale = Double(inSize) / Double(outSize)
        let filterScale = max(scale, 1)
        let support = filter.support * filterScale
        let taps = Int(support.rounded(.up)) * 2 + 1
        var first = [Int](repeating: 0, count: outSize)
        var counts = [Int](repeating: 0, count: outSize)
        var weights = [Int](repeating: 0, count: outSize * taps)
        let unit = Double(1 << Self.precisionBits)
        for outIndex in 0..<outSize {
            let center = (Double(outIndex) + 0.5) * scale
            // C's (int) cast truncates toward zero; PIL then clamps to the image.
            let lower = max(Int(center - support + 0.5), 0)
            let upper = min(Int(center + support + 0.5), inSize)
            var real = [Double]()
            var total = 0.0
            for x in lower..<max(upper, lower) {
                let w = filter.weight((Double(x) - center + 0.5) / filterScale)
                real.append(w); total += w
            }
            for (k, w) in real.enumerated() {
                let normalised = total != 0 ? w / total : w
                weights[outIndex * taps + k] = normalised < 0 ? Int(-0.5 + normalised * unit) : Int(0.5 + normalised * unit)
            }
            first[outIndex] = lower
            counts[outIndex] = real.count
        }
        self.first = first
        self.counts = counts
        self.taps = taps
        self.weights = weights
    }
}

/// A reusable resize of H×W planes to outHeight×outWidth (coefficients computed once).
public struct PlaneResizer: Sendable {
    public let width: Int, height: Int, outWidth: Int, outHeight: Int
    let horizontal: ResampleCoefficients?
    let vertical: ResampleCoefficients?

    public init(width: Int, height: Int, outWidth: Int, outHeight: Int, filter: ResampleFilter) {
        precondition(width > 0 && height > 0 && outWidth > 0 && outHeight > 0, "empty image size")
        self.width = width; self.height = height; self.outWidth = outWidth; self.outHeight = outHeight
        horizontal = outWidth != width ? ResampleCoefficients(inSize: width, outSize: outWidth, filter: filter) : nil
        vertical = outHeight != height ? ResampleCoefficients(inSize: height, outSize: outHeight, filter: filter) : nil
    }

    /// Resizes the plane at `source` (H×W) into `target` (outHeight×outWidth).
    public func resize(_ source: UnsafePointer<UInt8>, into target: UnsafeMutablePointer<UInt8>) {
        let half = 1 << (ResampleCoefficients.precisionBits - 1)
        // Horizontal pass (or a copy) into an intermediate H×outWidth plane.
        let middle = UnsafeMutablePointer<UInt8>.allocate(capacity: height * outWidth)
        defer { middle.deallocate() }
        if let horizontal {
            horizontal.weights.withUnsafeBufferPointer { weights in
                for y in 0..<height {
                    let row = source + y * width
                    for x in 0..<outWidth {
                        var accumulator = half
                        let start = row + horizontal.first[x]
                        let w = weights.baseAddress! + x * horizontal.taps
                        for k in 0..<horizontal.counts[x] { accumulator += Int(start[k]) * w[k] }
                        middle[y * outWidth + x] = UInt8(clamping: accumulator >> ResampleCoefficients.precisionBits)
                    }
                }
            }
        } else {
            middle.update(from: source, count: height * width)
        }
        guard let vertical else {
            target.update(from: middle, count: height * outWidth)
            return
        }
        vertical.weights.withUnsafeBufferPointer { weights in
            for y in 0..<outHeight {
                let w = weights.baseAddress! + y * vertical.taps
                let start = middle + vertical.first[y] * outWidth
                let count = vertical.counts[y]
                for x in 0..<outWidth {
                    var accumulator = half
                    for k in 0..<count { accumulator += Int(start[k * outWidth + x]) * w[k] }
                    target[y * outWidth + x] = UInt8(clamping: accumulator >> ResampleCoefficients.precisionBits)
                }
            }
        }
    }
}

/// Resizes one 8-bit plane (H×W, row-major) to `outHeight`×`outWidth` as PIL's `Image.resize`.
public func resizePlane(_ plane: [UInt8], width: Int, height: Int, toWidth outWidth: Int, toHeight outHeight: Int,
                        filter: ResampleFilter) -> [UInt8] {
    precondition(plane.count == width * height, "plane has \(plane.count) bytes, expected \(width)×\(height)")
    let resizer = PlaneResizer(width: width, height: height, outWidth: outWidth, outHeight: outHeight, filter: filter)
    var out = [UInt8](repeating: 0, count: outWidth * outHeight)
    plane.withUnsafeBufferPointer { source in
        out.withUnsafeMutableBufferPointer { resizer.resize(source.baseAddress!, into: $0.baseAddress!) }
    }
    return out
}

/// Resizes every plane of a C×H×W 8-bit image.
public func resizeImage(_ image: [UInt8], channels: Int, width: Int, height: Int,
                        toWidth outWidth: Int, toHeight outHeight: Int, filter: ResampleFilter) -> [UInt8] {
    let resizer = PlaneResizer(width: width, height: height, outWidth: outWidth, outHeight: outHeight, filter: filter)
    var out = [UInt8](repeating: 0, count: channels * outWidth * outHeight)
    image.withUnsafeBufferPointer { source in
        out.withUnsafeMutableBufferPointer { target in
            for c in 0..<channels {
                resizer.resize(source.baseAddress! + c * width * height, into: target.baseAddress! + c * outWidth * outHeight)
            }
        }
    }
    return out
}

/// The Y (luma) plane of an RGB image given as three planes (R, G, B; each H×W), as PIL's
/// `convert("YCbCr")` computes it (ITU-R BT.601): Y = (R·Y_R + G·Y_G + B·Y_B) >> 6 with
/// Y_R[v] = round(v · 0.299 · 64), Y_G[v] = round(v · 0.587 · 64), Y_B[v] = round(v · 0.114 · 64).
/// Checked equal to Pillow 13 for all 2²⁴ colours.
public func lumaPlane(rgbPlanes: [UInt8], pixelCount: Int) -> [UInt8] {
    precondition(rgbPlanes.count == 3 * pixelCount, "expected three planes of \(pixelCount) pixels")
    var out = [UInt8](repeating: 0, count: pixelCount)
    for i in 0..<pixelCount {
        let sum = lumaTables.red[Int(rgbPlanes[i])] + lumaTables.green[Int(rgbPlanes[pixelCount + i])]
            + lumaTables.blue[Int(rgbPlanes[2 * pixelCount + i])]
        out[i] = UInt8(clamping: sum >> 6)
    }
    return out
}

private let lumaTables: (red: [Int], green: [Int], blue: [Int]) = {
    func table(_ coefficient: Double) -> [Int] { (0..<256).map { Int((Double($0) * coefficient * 64 + 0.5).rounded(.down)) } }
    return (table(0.299), table(0.587), table(0.114))
}()
