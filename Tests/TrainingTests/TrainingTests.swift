import Testing
import Foundation
import Engine
import NN
import Bayes
import Datasets
import Models
import Training

/// Four classes of 32×32 grey images: a bright 10×10 square in quadrant k, on uniform noise.
func quadrantDataset(count: Int, seed: UInt64, name: String) -> ImageDataset {
    let generator = RandomGenerator(seed: seed)
    var pixels = [UInt8](repeating: 0, count: count * 32 * 32)
    var labels = [Int]()
    for n in 0..<count {
        let k = Int(generator.next() % 4)
        labels.append(k)
        let (top, left) = (k / 2 * 16 + 3, k % 2 * 16 + 3)
        for i in 0..<32 {
            for j in 0..<32 {
                let inside = (top..<(top + 10)).contains(i) && (left..<(left + 10)).contains(j)
                let noise = Float(generator.uniform()) * 120
                pixels[n * 1024 + i * 32 + j] = UInt8(min(255, noise + (inside ? 110 : 0)))
            }
        }
    }
    return ImageDataset(name: name, channels: 1, height: 32, width: 32, pixels: pixels, labels: labels,
                        classNames: ["top-left", "top-right", "bottom-left", "bottom-right"])
}

let trainSet = quadrantDataset(count: 256, seed: 11, name: "quadrants train")
let validationSet = quadrantDataset(count: 128, seed: 12, name: "quadrants validation")
let testSet = quadrantDataset(count: 128, seed: 13, name: "quadrants test")

/// A LeNet-5 of the given kind, built from a fixed seed, and the generator its layers sample from.
/// ReLU: a softplus LeNet-5 sits on a plateau for the first ~100 steps, longer than these tests run.
func makeLeNet(bayesian: Bool, seed: UInt64 = 5) -> (Module, RandomGenerator) {
    let generator = RandomGenerator(seed: seed)
    let kind: NetworkKind = bayesian ? .bayesian(VariationalSettings()) : .frequentist
    return (LeNet5(classes: 4, inputChannels: 1, activation: .relu, layers: LayerFactory(kind, generator: generator)), generator)
}

func configuration(epochs: Int, directory: URL? = nil) -> TrainingConfiguration {
    var configuration = TrainingConfiguration(epochs: epochs)
    configuration.batchSize = 32
    configuration.learningRate = 3e-3
    configuration.evaluationSamples = 4
    configuration.checkpointDirectory = directory
    configuration.showProgress = false
    return configuration
}

func temporaryDirectory() -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("training-tests-\(UUID().uuidString)")
}

/// A model whose outputs turn into NaN once `poisoned` is set.
final class PoisonedModel: Module {
    let inner: Module
    var poisoned = false
    init(_ inner: Module) { self.inner = inner }
    override func forward(_ x: Tensor) -> Tensor { poisoned ? inner(x) * Float.nan : inner(x) }
}

/// The history without wall times (which differ between runs).
func timeless(_ history: [EpochRecord]) -> [EpochRecord] {
    history.map { var record = $0; record.seconds = 0; return record }
}

@Suite(.serialized) struct TrainingTests {
    @Test(arguments: [false, true])
    func aFewEpochsLearnTheQuadrants(bayesian: Bool) throws {
        let (model, generator) = makeLeNet(bayesian: bayesian)
        var settings = configuration(epochs: 8)
        settings.batchSize = 16
        let trainer = ClassificationTrainer(model: model, modelGenerator: generator, train: trainSet,
                                            validation: validationSet, test: testSet, configuration: settings)
        let before = trainer.evaluate(validationSet)
        let result = try trainer.run()
        #expect(result.history.count == 8)
        let last = try #require(result.history.last)
        #expect(last.validationAccuracy >= 0.9, "validation accuracy \(last.validationAccuracy) (before \(before.accuracy))")
        #expect(last.validationAccuracy > before.accuracy + 0.3)
        #expect(last.trainLoss < result.history[0].trainLoss)
        #expect((result.test?.accuracy ?? 0) >= 0.9)
        #expect(trainer.isBayesian == bayesian)
        if bayesian { #expect(last.kl > 0 && abs(last.betaMean - 0.1) < 1e-6) } else { #expect(last.kl == 0 && last.betaMean == 0) }
    }

    @Test(arguments: [false, true])
    func anInterruptedRunResumesToTheSameHistory(bayesian: Bool) throws {
        let uninterruptedFolder = temporaryDirectory(), interruptedFolder = temporaryDirectory()
        defer {
            try? FileManager.default.removeItem(at: uninterruptedFolder)
            try? FileManager.default.removeItem(at: interruptedFolder)
        }
        // Augmentation too, so that the data stream's position matters.
        let augment = ImageTransform(randomCrop: .init(size: 32, padding: 2), randomHorizontalFlip: false)
        func trainer(_ folder: URL) -> ClassificationTrainer {
            let (model, generator) = makeLeNet(bayesian: bayesian)
            return ClassificationTrainer(model: model, modelGenerator: generator, train: trainSet, validation: validationSet,
                                         test: testSet, trainTransform: augment, configuration: configuration(epochs: 4, directory: folder))
        }
        let hook: ClassificationTrainer.EpochHook = { _, model in ["firstParameter": Double(model.parameters[0].data[0])] }
        let reference = try trainer(uninterruptedFolder).run(onEpoch: hook)

        struct Interrupted: Error {}
        #expect(throws: Interrupted.self) {
            _ = try trainer(interruptedFolder).run { epoch, model in
                if epoch == 3 { throw Interrupted() }
                return try hook(epoch, model)
            }
        }
        let resumed = try trainer(interruptedFolder).run(onEpoch: hook)
        #expect(resumed.resumedEpochs == 2)
        #expect(timeless(resumed.history) == timeless(reference.history))
        #expect(resumed.test == reference.test)
        #expect(FileManager.default.fileExists(atPath: interruptedFolder.appendingPathComponent("best.safetensors").path))

        // A finished run rerun with the same folder trains nothing and reports the same.
        let again = try trainer(interruptedFolder).run(onEpoch: hook)
        #expect(again.resumedEpochs == 4 && timeless(again.history) == timeless(reference.history))
    }

    @Test func aNaNLossStopsTheRunNamingEpochAndBatch() throws {
        let folder = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (inner, generator) = makeLeNet(bayesian: true)
        let model = PoisonedModel(inner)
        let trainer = ClassificationTrainer(model: model, modelGenerator: generator, train: trainSet,
                                            validation: validationSet, configuration: configuration(epochs: 3, directory: folder))
        do {
            _ = try trainer.run { epoch, _ in
                if epoch == 1 { model.poisoned = true }
                return [:]
            }
            Issue.record("the run did not stop")
        } catch let TrainingError.nonFiniteLoss(epoch, batch, value, checkpoint) {
            #expect(epoch == 2 && batch == 1 && value.isNaN)
            #expect(checkpoint == folder.appendingPathComponent("last.safetensors").path)
            let error = TrainingError.nonFiniteLoss(epoch: epoch, batch: batch, value: value, checkpoint: checkpoint)
            #expect(error.description.contains("epoch 2, batch 1"))
        }
        // The last good checkpoint (epoch 1) is intact and loads.
        let (fresh, _) = makeLeNet(bayesian: true)
        let metadata = try Checkpoint.load(from: folder.appendingPathComponent("last.safetensors"), into: PoisonedModel(fresh))
        #expect(metadata["epoch"] == "1")
    }

    @Test func aHugeLearningRateDivergesWithAClearError() throws {
        let (model, generator) = makeLeNet(bayesian: false)
        var settings = configuration(epochs: 3)
        settings.learningRate = 1e9
        let trainer = ClassificationTrainer(model: model, modelGenerator: generator, train: trainSet,
                                            validation: validationSet, configuration: settings)
        #expect(throws: TrainingError.self) { _ = try trainer.run() }
    }

    @Test(arguments: [BetaSchedule.blundell, .soenderby, .standard, .constant(0.5)])
    func theBetaScheduleIsWiredIntoEveryBatch(schedule: BetaSchedule) throws {
        let (model, generator) = makeLeNet(bayesian: true)
        var settings = configuration(epochs: 4)
        settings.betaSchedule = schedule
        settings.trainingSamples = 2
        settings.evaluationSamples = 2
        let trainer = ClassificationTrainer(model: model, modelGenerator: generator, train: trainSet,
                                            validation: validationSet, configuration: settings)
        let result = try trainer.run()
        let m = 256 / 32
        for record in result.history {
            let expected = (1...m).map { schedule.beta(batch: $0, batches: m, epoch: record.epoch - 1, epochs: 4) }
                .reduce(0, +) / Float(m)
            #expect(abs(record.betaMean - Double(expected)) < 1e-6, "epoch \(record.epoch): \(record.betaMean) vs \(expected)")
            // With β > 0 the ELBO exceeds the NLL by the weighted KL.
            if expected > 0 { #expect(record.trainLoss > record.trainNLL) }
        }
    }
}
