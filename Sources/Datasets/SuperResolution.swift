// SuperResolution.swift — (low-resolution input, high-resolution target) pairs from BSD300, as in
// the PyTorch super-resolution example the paper's sub-pixel CNN follows:
//   1. the Y (luma) channel of YCbCr, ITU-R BT.601 as Pillow computes it (Resampling.swift);
//   2. a centre crop to a multiple of the upscale factor r (torchvision `CenterCrop`, whose
//      offset rounds half to even, like Python's `round`);
//   3. the input: the crop shrunk by r with Pillow's antialiased resampler; bicubic (a = −0.5) by
//      default as the issue asks — note the PyTorch example's `Resize` defaults to bilinear,
//      available as `downscaleFilter: .bilinear`;
//   4. values scaled to [0, 1].
// Training may instead draw random patches (a random patch of the luma plane, shrunk the same way).

import Engine
import Foundation

/// A luma plane (H×W bytes).
public struct LumaImage: Sendable {
    public let name: String
    public let width: Int
    public let height: Int
    public let pixels: [UInt8]
}

/// Super-resolution pairs made from RGB images.
public struct SuperResolutionSet: Sendable {
    /// r: the high-resolution side is r times the low-resolution side.
    public let upscaleFactor: Int
    public let downscaleFilter: ResampleFilter
    /// The centre-cropped luma planes (sides multiples of r).
    public let targets: [LumaImage]

    /// - Parameters:
    ///   - images: RGB images (e.g. `BSD300.load`).
    ///   - upscaleFactor: r.
    ///   - cropSize: side of a square centre crop, rounded down to a multiple of r (the example uses
    ///     256); nil keeps each whole image, cut to multiples of r (sizes then vary by orientation).
    ///   - downscaleFilter: how the input is shrunk; default bicubic.
    public init(images: [RGBImage], upscaleFactor: Int, cropSize: Int? = nil,
                downscaleFilter: ResampleFilter = .bicubic) {
        precondition(upscaleFactor >= 1, "upscale factor must be at least 1")
        self.upscaleFactor = upscaleFactor
        self.downscaleFilter = downscaleFilter
        targets = images.map { image in
            let luma = lumaPlane(rgbPlanes: image.pixels, pixelCount: image.width * image.height)
            let side = cropSize.map { $0 - $0 % upscaleFactor }
            let cropHeight = min(side ?? image.height, image.height) / upscaleFactor * upscaleFactor
            let cropWidth = min(side ?? image.width, image.width) / upscaleFactor * upscaleFactor
            let top = Int((Double(image.height - cropHeight) / 2).rounded(.toNearestOrEven))
            let left = Int((Double(image.width - cropWidth) / 2).rounded(.toNearestOrEven))
            return LumaImage(name: image.name, width: cropWidth, height: cropHeight,
                             pixels: cropPlane(luma, width: image.width, top: top, left: left,
                                               height: cropHeight, cropWidth: cropWidth))
        }
    }

    public var count: Int { targets.count }

    /// The low-resolution input of `target` (its size divided by r).
    public func input(of target: LumaImage) -> [UInt8] {
        resizePlane(target.pixels, width: target.width, height: target.height,
                    toWidth: target.width / upscaleFactor, toHeight: target.height / upscaleFactor, filter: downscaleFilter)
    }

    /// Whole (centre-cropped) images `indices` as a batch: input [N, 1, h, w] and target
    /// [N, 1, r·h, r·w] in [0, 1]. The images must have one size (use a square `cropSize`).
    public func batch(_ indices: [Int]) -> (input: Tensor, target: Tensor) {
        let first = targets[indices[0]]
        precondition(indices.allSatisfy { targets[$0].width == first.width && targets[$0].height == first.height },
                     "images of different sizes: pass a cropSize to batch whole images")
        return makeBatch(indices.map { targets[$0] })
    }

    /// `count` random patches of side `patchSize` (rounded down to a multiple of r), each from a
    /// random image at a random position, as a batch like `batch(_:)`.
    public func randomPatches(count: Int, patchSize: Int, generator: RandomGenerator) -> (input: Tensor, target: Tensor) {
        let side = patchSize - patchSize % upscaleFactor
        precondition(side > 0, "patch smaller than the upscale factor")
        let patches = (0..<count).map { _ -> LumaImage in
            let image = targets[Int(generator.next() % UInt64(targets.count))]
            precondition(image.width >= side && image.height >= side, "patch larger than image \(image.name)")
            let top = Int(generator.next() % UInt64(image.height - side + 1))
            let left = Int(generator.next() % UInt64(image.width - side + 1))
            return LumaImage(name: image.name, width: side, height: side,
                             pixels: cropPlane(image.pixels, width: image.width, top: top, left: left, height: side, cropWidth: side))
        }
        return makeBatch(patches)
    }

    private func makeBatch(_ images: [LumaImage]) -> (input: Tensor, target: Tensor) {
        let height = images[0].height, width = images[0].width
        let target = Tensor(uninitializedShape: [images.count, 1, height, width])
        let input = Tensor(uninitializedShape: [images.count, 1, height / upscaleFactor, width / upscaleFactor])
        let inputSize = input.count / images.count
        for (n, image) in images.enumerated() {
            for (i, value) in image.pixels.enumerated() { target.data[n * height * width + i] = Float(value) / 255 }
            for (i, value) in self.input(of: image).enumerated() { input.data[n * inputSize + i] = Float(value) / 255 }
        }
        return (input, target)
    }
}

/// A height×cropWidth window of a plane of the given width, at (top, left).
func cropPlane(_ plane: [UInt8], width: Int, top: Int, left: Int, height: Int, cropWidth: Int) -> [UInt8] {
    var out = [UInt8]()
    out.reserveCapacity(height * cropWidth)
    for y in top..<top + height { out += plane[(y * width + left)..<(y * width + left + cropWidth)] }
    return out
}
