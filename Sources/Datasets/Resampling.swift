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

/// Fixed-point weights of one resampling pass: for each output index, the first input index and
/// its weights.
private struct ResampleCoefficients {
    static let precisionBits = 22
    let first: [Int]
    let weights: [[Int]]

    init(inSize: Int, outSize: Int, filter: ResampleFilter) {
        let scale = Double(inSize) / Double(outSize)
        let filterScale = max(scale, 1)
        let support = filter.support * filterScale
        var first = [Int](), weights = [[Int]]()
        first.reserveCapacity(outSize); weights.reserveCapacity(outSize)
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
            let unit = Double(1 << Self.precisionBits)
            weights.append(real.map { w in
                let normalised = total != 0 ? w / total : w
                return normalised < 0 ? Int(-0.5 + normalised * unit) : Int(0.5 + normalised * unit)
            })
            first.append(lower)
        }
        self.first = first
        self.weights = weights
    }

    /// Rounds a fixed-point accumulator (which started at one half) to a byte.
    @inline(__always)
    static func clampToByte(_ accumulator: Int) -> UInt8 {
        UInt8(clamping: accumulator >> precisionBits)
    }
}

/// Resizes one 8-bit plane (H×W, row-major) to `outHeight`×`outWidth` as PIL's `Image.resize`.
public func resizePlane(_ plane: [UInt8], width: Int, height: Int, toWidth outWidth: Int, toHeight outHeight: Int,
                        filter: ResampleFilter) -> [UInt8] {
    precondition(plane.count == width * height, "plane has \(plane.count) bytes, expected \(width)×\(height)")
    precondition(outWidth > 0 && outHeight > 0, "empty output size")
    var current = plane
    var currentWidth = width
    let half = 1 << (ResampleCoefficients.precisionBits - 1)
    if outWidth != width {
        let coefficients = ResampleCoefficients(inSize: width, outSize: outWidth, filter: filter)
        var out = [UInt8](repeating: 0, count: outWidth * height)
        for y in 0..<height {
            let row = y * width
            for x in 0..<outWidth {
                var accumulator = half
                let start = coefficients.first[x]
                for (k, w) in coefficients.weights[x].enumerated() { accumulator += Int(current[row + start + k]) * w }
                out[y * outWidth + x] = ResampleCoefficients.clampToByte(accumulator)
            }
        }
        current = out
        currentWidth = outWidth
    }
    if outHeight != height {
        let coefficients = ResampleCoefficients(inSize: height, outSize: outHeight, filter: filter)
        var out = [UInt8](repeating: 0, count: currentWidth * outHeight)
        for y in 0..<outHeight {
            let start = coefficients.first[y]
            let weights = coefficients.weights[y]
            for x in 0..<currentWidth {
                var accumulator = half
                for (k, w) in weights.enumerated() { accumulator += Int(current[(start + k) * currentWidth + x]) * w }
                out[y * currentWidth + x] = ResampleCoefficients.clampToByte(accumulator)
            }
        }
        current = out
    }
    return current
}

/// Resizes every plane of a C×H×W 8-bit image.
public func resizeImage(_ image: [UInt8], channels: Int, width: Int, height: Int,
                        toWidth outWidth: Int, toHeight outHeight: Int, filter: ResampleFilter) -> [UInt8] {
    let planeSize = width * height
    var out = [UInt8]()
    out.reserveCapacity(channels * outWidth * outHeight)
    for c in 0..<channels {
        out += resizePlane(Array(image[c * planeSize..<(c + 1) * planeSize]), width: width, height: height,
                           toWidth: outWidth, toHeight: outHeight, filter: filter)
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
