import Foundation
import Testing
import Engine
import NN

@Suite struct ConvolutionLayerTests {
    @Test(arguments: [(1, 0), (2, 1)])
    func conv2dGradients(_ configuration: (stride: Int, padding: Int)) {
        let layer = Conv2d(2, 3, kernelSize: 3, stride: configuration.stride, padding: configuration.padding,
                           generator: RandomGenerator(seed: 1))
        let x = sample([2, 2, 6, 5], seed: 2)
        let result = checkGradients(of: [x, layer.weight, layer.bias!]) { inputs in
            projected(conv2d(inputs[0], weight: inputs[1], bias: inputs[2],
                             stride: configuration.stride, padding: configuration.padding))
        }
        #expect(result.passed, "\(result)")
        let viaModule = checkGradients(of: [x]) { projected(layer($0[0])) }
        #expect(viaModule.passed, "\(viaModule)")
        let expectedHeight = (6 + 2 * configuration.padding - 3) / configuration.stride + 1
        let expectedWidth = (5 + 2 * configuration.padding - 3) / configuration.stride + 1
        #expect(layer(x).shape == [2, 3, expectedHeight, expectedWidth])
    }

    @Test func convTranspose2dGradientsAndShape() {
        let layer = ConvTranspose2d(3, 2, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1,
                                    generator: RandomGenerator(seed: 3))
        #expect(layer.weight.shape == [3, 2, 3, 3] && layer.bias?.shape == [2])
        let x = sample([2, 3, 4, 4], seed: 4)
        #expect(layer(x).shape == [2, 2, 8, 8])                 // (4 − 1)·2 − 2 + 3 + 1
        let result = checkGradients(of: [x, layer.weight, layer.bias!]) { inputs in
            projected(convTranspose2d(inputs[0], weight: inputs[1], bias: inputs[2], stride: 2, padding: 1, outputPadding: 1))
        }
        #expect(result.passed, "\(result)")
    }

    /// PyTorch's default for Conv2d: bound 1/√(C·K²) for weight and bias.
    @Test func conv2dDefaultInitialization() {
        let layer = Conv2d(6, 16, kernelSize: 5, generator: RandomGenerator(seed: 5))
        let bound = 1 / Float(6 * 25).squareRoot()
        #expect(layer.weight.array.allSatisfy { abs($0) <= bound })
        #expect(layer.weight.array.max()! > 0.9 * bound)
        #expect(layer.bias!.array.allSatisfy { abs($0) <= bound })
        #expect(Conv2d(1, 2, kernelSize: 3, bias: false, generator: RandomGenerator(seed: 1)).namedParameters.map(\.0) == ["weight"])
    }

    @Test func batchNormTrainingAndEvaluation() {
        let layer = BatchNorm2d(3)
        #expect(layer.namedParameters.map(\.0) == ["weight", "bias"])
        #expect(layer.namedBuffers.map(\.0) == ["runningMean", "runningVariance"])
        let x = sample([4, 3, 2, 2], seed: 6, center: 2)
        let y = layer(x)
        // Training: each channel of the output has mean ≈ 0 and variance ≈ 1.
        for channel in 0..<3 {
            let values = (0..<4).flatMap { n in (0..<4).map { y.data[n * 12 + channel * 4 + $0] } }
            let mean = values.reduce(0, +) / 16
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 16
            #expect(abs(mean) < 1e-5 && abs(variance - 1) < 1e-3)
        }
        #expect(layer.runningMean.array.allSatisfy { abs($0 - 0.2) < 0.05 })   // 0.1 · batch mean ≈ 0.1 · 2
        let result = checkGradients(of: [x, layer.weight, layer.bias]) { inputs in
            projected(batchNorm2d(inputs[0], gamma: inputs[1], beta: inputs[2], runningMean: Tensor(zeros: [3]),
                                  runningVariance: Tensor(shape: [3], repeating: 1), training: true))
        }
        #expect(result.passed, "\(result)")
        // Evaluation uses the running statistics and leaves them alone.
        layer.eval()
        let before = layer.runningMean.array
        let z = layer(x)
        #expect(layer.runningMean.array == before)
        let expected = (x.data[0] - before[0]) / (layer.runningVariance.data[0] + 1e-5).squareRoot()
        #expect(abs(z.data[0] - expected) < 1e-5)
    }

    @Test func dropoutTrainingAndEvaluation() {
        let layer = Dropout(probability: 0.25, generator: RandomGenerator(seed: 7))
        let x = Tensor(shape: [10_000], repeating: 1)
        let y = layer(x).array
        let dropped = Float(y.filter { $0 == 0 }.count) / 10_000
        #expect(abs(dropped - 0.25) < 0.02)
        #expect(y.allSatisfy { $0 == 0 || abs($0 - 4.0 / 3.0) < 1e-6 })
        layer.eval()
        #expect(layer(x).array == x.array)
    }

    @Test func poolingAndPixelShuffleShapes() {
        let x = sample([2, 4, 6, 6], seed: 8)
        #expect(MaxPool2d(kernelSize: 2)(x).shape == [2, 4, 3, 3])
        #expect(MaxPool2d(kernelSize: 3, stride: 1, padding: 1)(x).shape == [2, 4, 6, 6])
        #expect(AvgPool2d(kernelSize: 2)(x).shape == [2, 4, 3, 3])
        #expect(PixelShuffle(upscale: 2)(x).shape == [2, 1, 12, 12])
        let pooled = MaxPool2d(kernelSize: 2)(Tensor(shape: [1, 1, 2, 2], values: [1, 5, -2, 3]))
        #expect(pooled.array == [5])
        #expect(AvgPool2d(kernelSize: 2)(Tensor(shape: [1, 1, 2, 2], values: [1, 5, -2, 3])).array == [1.75])
    }

    @Test func convNetStateDictRoundTrip() throws {
        func make(_ seed: UInt64) -> Sequential {
            let g = RandomGenerator(seed: seed)
            return Sequential(Conv2d(1, 2, kernelSize: 3, generator: g), BatchNorm2d(2), ReLU(), Flatten(), Linear(8, 2, generator: g))
        }
        let original = make(1)
        _ = original(sample([3, 1, 4, 4], seed: 9))                // moves the running statistics
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("convnet-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try saveSafetensors(original.stateDict, to: url)
        let restored = make(2)
        try restored.load(stateDict: try loadSafetensors(from: url).tensors)
        #expect(restored.stateDict.map(\.0) == original.stateDict.map(\.0))
        for ((_, a), (_, b)) in zip(original.stateDict, restored.stateDict) { #expect(a.array == b.array) }
        #expect(original.stateDict.contains { $0.0.hasSuffix("runningVariance") })
    }

    /// A small frequentist conv net separates vertical from horizontal bars in noise.
    @Test func smallConvNetTrains() {
        let generator = RandomGenerator(seed: 2024)
        func bars(_ count: Int) -> (Tensor, [Int]) {
            let images = Tensor.randomNormal([count, 1, 8, 8], std: 0.3, generator: generator)
            var labels: [Int] = []
            for n in 0..<count {
                let label = Int(generator.next() % 2), position = Int(generator.next() % 8)
                for i in 0..<8 {
                    let (row, column) = label == 0 ? (i, position) : (position, i)
                    images.data[n * 64 + row * 8 + column] += 1
                }
                labels.append(label)
            }
            return (images, labels)
        }
        let (trainImages, trainLabels) = bars(64)
        let (testImages, testLabels) = bars(64)
        let model = Sequential(
            Conv2d(1, 4, kernelSize: 3, padding: 1, generator: generator), ReLU(), MaxPool2d(kernelSize: 2),
            Conv2d(4, 8, kernelSize: 3, padding: 1, generator: generator), ReLU(), MaxPool2d(kernelSize: 2),
            Flatten(), Linear(32, 2, generator: generator))
        let adam = Adam(parameters: model.parameters, learningRate: 0.01)
        for _ in 0..<60 {
            adam.zeroGrad()
            crossEntropy(logits: model(trainImages), labels: trainLabels).backward()
            adam.step()
        }
        model.eval()
        let testAccuracy = withoutGradient { accuracy(logits: model(testImages), labels: testLabels) }
        #expect(testAccuracy >= 0.95, "test accuracy \(testAccuracy)")
    }
}
