// ImageTransform.swift — what happens to an image between its bytes and a batch tensor.
//
// In order, as torchvision's pipelines in the reference:
//   1. geometry: resize (Pillow's resampler, Resampling.swift) or zero padding, on the bytes;
//   2. random crop with zero padding (CIFAR augmentation);
//   3. random horizontal flip (probability ½);
//   4. scale to [0, 1] (x / 255), then optional per-channel normalisation (x − mean) / std.
// Steps 2–4 are one pass: each output pixel reads its source pixel through the crop offset and
// the flip, and a 256-entry table per channel gives its float value.

import Engine
import Foundation

/// A per-image transform from C×H×W bytes to C×H'×W' floats.
public struct ImageTransform: Sendable {
    /// Deterministic change of size.
    public enum Geometry: Sendable, Equatable {
        case none
        /// Resize to height×width with Pillow's resampler (torchvision `Resize((h, w))`).
        case resize(height: Int, width: Int, filter: ResampleFilter)
        /// Zero border of this many pixels on every side.
        case zeroPad(Int)
    }

    /// A random size×size window of the image padded by `padding` zeros on every side
    /// (torchvision `RandomCrop(size, padding=)`).
    public struct RandomCrop: Sendable, Equatable {
        public var size: Int
        public var padding: Int
        public init(size: Int, padding: Int) {
            self.size = size
            self.padding = padding
        }
    }

    /// Per-channel mean and standard deviation, applied after scaling to [0, 1].
    public struct Normalization: Sendable, Equatable {
        public var mean: [Float]
        public var std: [Float]
        public init(mean: [Float], std: [Float]) {
            precondition(mean.count == std.count && std.allSatisfy { $0 > 0 }, "mean and positive std per channel")
            self.mean = mean
            self.std = std
        }
        /// CIFAR-10 training-set statistics.
        public static let cifar10 = Normalization(mean: CIFAR10.trainMean, std: CIFAR10.trainStd)
    }

    public var geometry: Geometry
    public var randomCrop: RandomCrop?
    public var randomHorizontalFlip: Bool
    public var normalization: Normalization?

    /// A transform; the default only scales bytes to [0, 1].
    public init(geometry: Geometry = .none, randomCrop: RandomCrop? = nil, randomHorizontalFlip: Bool = false,
                normalization: Normalization? = nil) {
        self.geometry = geometry
        self.randomCrop = randomCrop
        self.randomHorizontalFlip = randomHorizontalFlip
        self.normalization = normalization
    }

    /// MNIST-like 28×28 digits to LeNet-5's 32×32 input. The default is a bilinear resize,
    /// because the reference feeds LeNet through `transforms.Resize((32, 32))` (Pillow bilinear):
    /// the network then sees the same, slightly enlarged strokes as in the paper. LeCun's
    /// original recipe, a 2-pixel zero border, is `mnistLeNetPadded`.
    public static let mnistLeNet = ImageTransform(geometry: .resize(height: 32, width: 32, filter: .bilinear))
    /// 28×28 digits zero-padded to 32×32 (LeNet-5 as in LeCun et al. 1998).
    public static let mnistLeNetPadded = ImageTransform(geometry: .zeroPad(2))

    /// CIFAR training augmentation: random 32×32 crop of the 4-padded image, random flip,
    /// optionally normalised with the CIFAR-10 training statistics.
    public static func cifarAugmented(normalized: Bool = false) -> ImageTransform {
        ImageTransform(randomCrop: RandomCrop(size: 32, padding: 4), randomHorizontalFlip: true,
                       normalization: normalized ? .cifar10 : nil)
    }

    /// Whether the transform draws random numbers.
    public var isRandom: Bool { randomCrop != nil || randomHorizontalFlip }

    /// Height and width after the geometry step.
    func geometrySize(height: Int, width: Int) -> (height: Int, width: Int) {
        switch geometry {
        case .none: return (height, width)
        case let .resize(h, w, _): return (h, w)
        case let .zeroPad(p): return (height + 2 * p, width + 2 * p)
        }
    }

    /// [C, H', W'] of a transformed C×H×W image.
    public func outputShape(channels: Int, height: Int, width: Int) -> [Int] {
        if let crop = randomCrop { return [channels, crop.size, crop.size] }
        let size = geometrySize(height: height, width: width)
        return [channels, size.height, size.width]
    }

    /// Float value of each byte per channel: (byte / 255 − mean) / std.
    func valueTables(channels: Int) -> [[Float]] {
        (0..<channels).map { c in
            let mean = normalization.map { $0.mean[c % $0.mean.count] } ?? 0
            let std = normalization.map { $0.std[c % $0.std.count] } ?? 1
            return (0..<256).map { (Float($0) / 255 - mean) / std }
        }
    }

    /// The resizer of the geometry step for images of height×width (nil without resizing).
    func resizer(height: Int, width: Int) -> PlaneResizer? {
        guard case let .resize(h, w, filter) = geometry else { return nil }
        return PlaneResizer(width: width, height: height, outWidth: w, outHeight: h, filter: filter)
    }

    /// Transforms one image into `out` (C·H'·W' floats), drawing crop offsets then the flip
    /// from `generator`; `tables` (`valueTables(channels:)`) and `resizer` are made once per batch.
    func apply(to image: UnsafeBufferPointer<UInt8>, channels: Int, height: Int, width: Int, tables: [[Float]],
               resizer: PlaneResizer?, into out: UnsafeMutablePointer<Float>, generator: RandomGenerator) {
        // 1. Geometry on bytes; zero padding is folded into the read below.
        var resized: [UInt8] = []
        var sourceHeight = height, sourceWidth = width, border = 0
        switch geometry {
        case .none: break
        case let .resize(h, w, _):
            let resizer = resizer ?? self.resizer(height: height, width: width)!
            resized = [UInt8](repeating: 0, count: channels * h * w)
            resized.withUnsafeMutableBufferPointer { target in
                for c in 0..<channels {
                    resizer.resize(image.baseAddress! + c * height * width, into: target.baseAddress! + c * h * w)
                }
            }
            sourceHeight = h; sourceWidth = w
        case let .zeroPad(p): border = p
        }
        // 2. Crop window, in coordinates of the image padded by `border`.
        var outHeight = sourceHeight + 2 * border, outWidth = sourceWidth + 2 * border
        var top = 0, left = 0
        if let crop = randomCrop {
            border += crop.padding
            let paddedHeight = sourceHeight + 2 * border, paddedWidth = sourceWidth + 2 * border
            precondition(crop.size <= paddedHeight && crop.size <= paddedWidth, "crop larger than the padded image")
            top = Int(generator.next() % UInt64(paddedHeight - crop.size + 1))
            left = Int(generator.next() % UInt64(paddedWidth - crop.size + 1))
            outHeight = crop.size; outWidth = crop.size
        }
        // 3. Flip.
        let flip = randomHorizontalFlip && generator.uniform() < 0.5
        // 4. Values.
        let write = { (source: UnsafeBufferPointer<UInt8>) in
            for c in 0..<channels {
                let table = tables[c]
                let zero = table[0]
                let plane = source.baseAddress! + c * sourceHeight * sourceWidth
                let outPlane = out + c * outHeight * outWidth
                for y in 0..<outHeight {
                    let sy = y + top - border
                    let outRow = outPlane + y * outWidth
                    if sy < 0 || sy >= sourceHeight {
                        outRow.update(repeating: zero, count: outWidth)
                        continue
                    }
                    let row = plane + sy * sourceWidth
                    for x in 0..<outWidth {
                        let sx = (flip ? outWidth - 1 - x : x) + left - border
                        outRow[x] = sx >= 0 && sx < sourceWidth ? table[Int(row[sx])] : zero
                    }
                }
            }
        }
        if resized.isEmpty { write(image) } else { resized.withUnsafeBufferPointer { write($0) } }
    }
}
