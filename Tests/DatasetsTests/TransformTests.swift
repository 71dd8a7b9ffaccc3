// TransformTests.swift — resampling against Pillow's numbers, transforms, splits and batching.

import Datasets
import Engine
import Foundation
import Testing

/// The pattern the Pillow oracle values below were computed from (Pillow 13, Python:
/// `Image.fromarray(pattern).resize((w, h), filter)`).
func pattern(height: Int, width: Int) -> [UInt8] {
    var out = [UInt8]()
    for i in 0..<height { for j in 0..<width { out.append(UInt8((i * 37 + j * 11 + (i * j) % 7 * 20) % 256)) } }
    return out
}

@Suite struct ResamplingTests {
    @Test func bilinearEnlargementMatchesPillow() {
        let out = resizePlane(pattern(height: 28, width: 28), width: 28, height: 28, toWidth: 32, toHeight: 32, filter: .bilinear)
        #expect(out.reduce(0) { $0 + Int($1) } == 126656)
        #expect(Array(out[0..<8]) == [0, 9, 19, 28, 38, 47, 57, 67])
        #expect(Array(out[17 * 32 + 5..<17 * 32 + 12]) == [154, 178, 194, 119, 135, 159, 183])
    }

    @Test func bicubicReductionMatchesPillow() {
        let small = resizePlane(pattern(height: 12, width: 9), width: 9, height: 12, toWidth: 3, toHeight: 4, filter: .bicubic)
        #expect(small == [84, 145, 141, 157, 137, 91, 72, 97, 109, 136, 138, 135])
        let halved = resizePlane(pattern(height: 30, width: 45), width: 45, height: 30, toWidth: 15, toHeight: 10, filter: .bicubic)
        #expect(halved.reduce(0) { $0 + Int($1) } == 19126)
        #expect(Array(halved[45..<60]) == [136, 137, 118, 76, 85, 106, 126, 138, 165, 175, 137, 123, 94, 103, 128])
    }

    @Test func bicubicEnlargementMatchesPillow() {
        let out = resizePlane(pattern(height: 5, width: 7), width: 7, height: 5, toWidth: 11, toHeight: 8, filter: .bicubic)
        #expect(out.reduce(0) { $0 + Int($1) } == 11039)
        #expect(Array(out[44..<55]) == [81, 106, 149, 191, 219, 228, 188, 170, 191, 184, 178])
    }

    @Test func sameSizeIsIdentity() {
        let plane = pattern(height: 6, width: 5)
        #expect(resizePlane(plane, width: 5, height: 6, toWidth: 5, toHeight: 6, filter: .bicubic) == plane)
    }

    @Test func lumaMatchesPillowFormula() {
        // Pillow: Y of (255, 0, 0) = 76, (0, 255, 0) = 149, (0, 0, 255) = 29, white = 255.
        let planes: [UInt8] = [255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255]
        #expect(lumaPlane(rgbPlanes: planes, pixelCount: 4) == [76, 149, 29, 255])
    }
}

@Suite struct TransformTests {
    let dataset = ImageDataset(name: "t", channels: 1, height: 2, width: 3, pixels: [0, 51, 102, 153, 204, 255, 10, 20, 30, 40, 50, 60],
                               labels: [1, 0], classNames: ["a", "b"])

    @Test func scalesToUnitInterval() {
        let batch = dataset.batch([1, 0])
        #expect(batch.images.shape == [2, 1, 2, 3])
        #expect(batch.labels == [0, 1])
        #expect(batch.images.array[6...11].map { ($0 * 255).rounded() } == [0, 51, 102, 153, 204, 255])
    }

    @Test func zeroPaddingAddsABorder() {
        let batch = dataset.batch([0], transform: ImageTransform(geometry: .zeroPad(2)))
        #expect(batch.images.shape == [1, 1, 6, 7])
        let values = batch.images.array
        #expect(values[2 * 7 + 2] == 0 && values[2 * 7 + 3] == 0.2 && values[3 * 7 + 4] == 1)
        #expect(values.reduce(0, +) == 3)  // (0 + 51 + … + 255) / 255
    }

    @Test func normalisationPerChannel() {
        let rgb = ImageDataset(name: "c", channels: 3, height: 1, width: 1, pixels: [255, 0, 51], labels: [0], classNames: ["x"])
        let norm = ImageTransform.Normalization(mean: [0.5, 0.5, 0.2], std: [0.5, 0.25, 0.1])
        let values = rgb.batch([0], transform: ImageTransform(normalization: norm)).images.array
        #expect(abs(values[0] - 1) < 1e-6 && abs(values[1] + 2) < 1e-6 && abs(values[2]) < 1e-5)
    }

    @Test func randomCropAndFlipStayInsideThePaddedImage() {
        let square = ImageDataset(name: "s", channels: 1, height: 4, width: 4, pixels: (1...16).map { UInt8($0) }, labels: [0],
                                  classNames: ["x"])
        let transform = ImageTransform(randomCrop: .init(size: 4, padding: 1), randomHorizontalFlip: true)
        let generator = RandomGenerator(seed: 3)
        var sawFlip = false, sawShift = false
        for _ in 0..<50 {
            let values = square.batch([0], transform: transform, generator: generator).images.array.map { Int(($0 * 255).rounded()) }
            // Every row is a run of consecutive original values (or zeros), possibly reversed.
            let rows = (0..<4).map { Array(values[$0 * 4..<$0 * 4 + 4]) }
            for row in rows {
                let nonZero = row.filter { $0 != 0 }
                if nonZero.count > 1 {
                    let step = nonZero[1] - nonZero[0]
                    #expect(step == 1 || step == -1)
                    if step == -1 { sawFlip = true }
                }
            }
            if values.contains(0) { sawShift = true }
        }
        #expect(sawFlip && sawShift)
    }

    @Test func resizeTransformIsPillowBilinear() {
        let digits = ImageDataset(name: "d", channels: 1, height: 28, width: 28, pixels: pattern(height: 28, width: 28), labels: [0],
                                  classNames: ["0"])
        let values = digits.batch([0], transform: .mnistLeNet).images
        #expect(values.shape == [1, 1, 32, 32])
        #expect(Int(values.array.reduce(0) { $0 + Double($1 * 255) }.rounded()) == 126656)
        let preResized = digits.applyingGeometry(.resize(height: 32, width: 32, filter: .bilinear))
        #expect(preResized.imageShape == [1, 32, 32])
        #expect(preResized.pixels == resizePlane(digits.pixels, width: 28, height: 28, toWidth: 32, toHeight: 32, filter: .bilinear))
        #expect(digits.applyingGeometry(.zeroPad(2)).batch([0]).images.array == digits.batch([0], transform: .mnistLeNetPadded).images.array)
    }
}

@Suite struct BatchingTests {
    let dataset = ImageDataset(name: "n", channels: 1, height: 1, width: 1, pixels: (0..<10).map { UInt8($0) },
                               labels: (0..<10).map { $0 % 3 }, classNames: ["a", "b", "c"])

    @Test func validationSplitIsSeededAndRecorded() {
        let split = dataset.validationSplit(fraction: 0.2, seed: 42)
        #expect(split.validationIndices.count == 2 && split.trainIndices.count == 8)
        #expect(Set(split.validationIndices + split.trainIndices) == Set(0..<10))
        #expect(split.validation.labels == split.validationIndices.map { $0 % 3 })
        let again = dataset.validationSplit(fraction: 0.2, seed: 42)
        #expect(again.validationIndices == split.validationIndices)
        let other = (0..<20).map { dataset.validationSplit(fraction: 0.2, seed: UInt64($0)).validationIndices }
        #expect(Set(other).count > 1)
    }

    @Test func lastPartialBatchIsKeptOrDropped() {
        let kept = DataLoader(dataset: dataset, batchSize: 4, shuffle: false, generator: RandomGenerator(seed: 1))
        #expect(kept.batchCount == 3)
        #expect(Array(kept.epoch()).map(\.count) == [4, 4, 2])
        let dropped = DataLoader(dataset: dataset, batchSize: 4, shuffle: false, dropLast: true, generator: RandomGenerator(seed: 1))
        #expect(dropped.batchCount == 2)
        #expect(Array(dropped.epoch()).map(\.labels) == [[0, 1, 2, 0], [1, 2, 0, 1]])
    }

    @Test func shufflingIsSeededAndCoversEveryImage() {
        func epochs(prefetch: Bool) -> [[Float]] {
            let loader = DataLoader(dataset: dataset, batchSize: 3, transform: ImageTransform(randomHorizontalFlip: true),
                                    generator: RandomGenerator(seed: 9), prefetch: prefetch)
            return (0..<2).map { _ in loader.epoch().flatMap { $0.images.array } }
        }
        let a = epochs(prefetch: true), b = epochs(prefetch: false)
        #expect(a == b)
        #expect(a[0] != a[1])
        #expect(a[0].map { Int(($0 * 255).rounded()) }.sorted() == Array(0..<10))
    }
}

@Suite struct SuperResolutionTests {
    @Test func centreCropAndDownscale() {
        let image = RGBImage(name: "g", width: 10, height: 7, pixels: Array(repeating: 200, count: 210))
        let set = SuperResolutionSet(images: [image], upscaleFactor: 3)
        #expect(set.targets[0].width == 9 && set.targets[0].height == 6)
        let (input, target) = set.batch([0])
        #expect(input.shape == [1, 1, 2, 3] && target.shape == [1, 1, 6, 9])
        #expect(input.array.allSatisfy { abs($0 - 200 / 255) < 1e-6 })
        let patches = set.randomPatches(count: 4, patchSize: 5, generator: RandomGenerator(seed: 1))
        #expect(patches.input.shape == [4, 1, 1, 1] && patches.target.shape == [4, 1, 3, 3])
    }
}
