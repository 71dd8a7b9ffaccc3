import Testing
import Foundation
import Engine
import NN
import Bayes

/// A small Bayesian conv net: conv 1 → 4 (3×3), flatten, linear 4·6·6 → 3.
func smallConvNet(seed: UInt64) -> Sequential {
    let generator = RandomGenerator(seed: seed)
    return Sequential(BayesConv2d(1, 4, kernelSize: 3, generator: generator), Lambda { relu($0) },
                      Lambda { $0.flattenedBatch() }, BayesLinear(4 * 6 * 6, 3, generator: generator))
}

func scratchFile(_ name: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("pruned-\(UUID().uuidString)-\(name)")
}

/// Outputs with every weight at its posterior mean.
func meanOutput(_ model: Module, _ x: Tensor) -> [Float] {
    for layer in model.bayesianLayers { layer.sampling = .mean }
    defer { for layer in model.bayesianLayers { layer.sampling = .sample } }
    return withoutGradient { model(x).array }
}

@Suite struct PrunedCheckpointTests {
    @Test(arguments: [0.0, 0.7, 0.99, 1.0])
    func theSparseLayoutGivesBackTheSameNet(fraction: Double) throws {
        let model = smallConvNet(seed: 1)
        prune(model, fraction: fraction, criterion: .signalToNoise)
        let (sparse, dense) = (scratchFile("sparse"), scratchFile("dense"))
        defer { try? FileManager.default.removeItem(at: sparse); try? FileManager.default.removeItem(at: dense) }
        let bytes = try PrunedCheckpoint.save(model, metadata: ["note": "test"], to: sparse)
        try Checkpoint.save(model: model, to: dense)

        let restored = smallConvNet(seed: 2)                      // other random weights
        let metadata = try PrunedCheckpoint.load(from: sparse, into: restored)
        #expect(metadata["note"] == "test")
        let x = Tensor.randomNormal([2, 1, 8, 8], generator: RandomGenerator(seed: 3))
        #expect(meanOutput(restored, x) == meanOutput(model, x))
        for ((_, a), (_, b)) in zip(model.variationalLayers, restored.variationalLayers) {
            #expect(a.weightMask!.array == b.weightMask!.array)
            #expect(a.bias!.mean.array == b.bias!.mean.array && a.bias!.rho.array == b.bias!.rho.array)
        }
        // The file is about (1/96 + kept share) of the dense one; at 99% removed far smaller.
        let denseBytes = try FileManager.default.attributesOfItem(atPath: dense.path)[.size] as! Int
        #expect(bytes == (try FileManager.default.attributesOfItem(atPath: sparse.path)[.size] as! Int))
        if fraction >= 0.99 { #expect(bytes * 5 < denseBytes, "sparse \(bytes) B vs dense \(denseBytes) B") }
        if fraction == 0 { #expect(bytes < denseBytes) }           // no mask to store densely
    }

    @Test func anUnprunedNetIsStoredWithAllOnesMasks() throws {
        let model = smallConvNet(seed: 4)
        let file = scratchFile("unpruned")
        defer { try? FileManager.default.removeItem(at: file) }
        try PrunedCheckpoint.save(model, to: file)
        let restored = smallConvNet(seed: 5)
        try PrunedCheckpoint.load(from: file, into: restored)
        #expect(pruningSummary(restored).kept == pruningSummary(model).total)
        let x = Tensor.randomNormal([1, 1, 8, 8], generator: RandomGenerator(seed: 6))
        #expect(meanOutput(restored, x) == meanOutput(model, x))
    }

    @Test func aDenseCheckpointIsRejectedByName() throws {
        let model = smallConvNet(seed: 7)
        let file = scratchFile("dense")
        defer { try? FileManager.default.removeItem(at: file) }
        try Checkpoint.save(model: model, to: file)
        #expect(throws: PrunedCheckpointError.notSparseLayout(path: file.path)) { try PrunedCheckpoint.load(from: file, into: model) }
    }

    @Test func anotherArchitectureIsRejectedAndLeavesTheModelAlone() throws {
        let model = smallConvNet(seed: 8)
        prune(model, fraction: 0.5, criterion: .magnitude)
        let file = scratchFile("other")
        defer { try? FileManager.default.removeItem(at: file) }
        try PrunedCheckpoint.save(model, to: file)
        let generator = RandomGenerator(seed: 9)
        let other = Sequential(BayesConv2d(1, 5, kernelSize: 3, generator: generator), Lambda { $0.flattenedBatch() },
                               BayesLinear(5 * 6 * 6, 3, generator: generator))
        let before = other.stateDict.map { $0.1.array }
        #expect {
            try PrunedCheckpoint.load(from: file, into: other)
        } throws: { error in
            guard case let .mismatch(_, name, _)? = error as? PrunedCheckpointError else { return false }
            return name.hasPrefix("sparse.")
        }
        #expect(other.stateDict.map { $0.1.array } == before)
    }

    @Test func aTruncatedFileIsASafetensorsError() throws {
        let model = smallConvNet(seed: 10)
        prune(model, fraction: 0.9, criterion: .signalToNoise)
        let file = scratchFile("truncated")
        defer { try? FileManager.default.removeItem(at: file) }
        try PrunedCheckpoint.save(model, to: file)
        let data = try Data(contentsOf: file)
        try data.prefix(data.count - 40).write(to: file)
        #expect(throws: SafetensorsError.self) { try PrunedCheckpoint.load(from: file, into: smallConvNet(seed: 11)) }
    }

    @Test func bytesRoundTripThroughSafetensors() throws {
        let file = scratchFile("bytes")
        defer { try? FileManager.default.removeItem(at: file) }
        try saveSafetensors(entries: [("bits", .bytes([0, 1, 127, 128, 255])), ("x", .float32(Tensor(shape: [2], values: [1.5, -2])))],
                            to: file)
        let (tensors, _) = try loadSafetensors(from: file)
        #expect(tensors["bits"]?.array == [0, 1, 127, 128, 255])
        #expect(tensors["bits"]?.shape == [5])
        #expect(tensors["x"]?.array == [1.5, -2])
    }
}
