import Testing
import Foundation
import Engine
import NN
import Bayes
import Models
import Training

@Suite(.serialized) struct RegularizerAndEarlyStoppingTests {
    /// A strong L1 penalty drives many posterior means to (about) zero, which the same run without
    /// it does not. (Adam moves a weight by about η per step whatever the gradient's size, so the
    /// penalty shows as weights oscillating within ~η of 0, not as exact zeros.)
    @Test func anL1PenaltyDrivesMeansToZero() throws {
        func nearZeroShare(_ regularizer: Regularizer?) throws -> Double {
            let (model, generator) = makeLeNet(bayesian: true)
            var settings = configuration(epochs: 2)
            settings.regularizer = regularizer
            settings.betaSchedule = .constant(0)        // no KL term, whose Gaussian prior also pulls μ to 0
            _ = try ClassificationTrainer(model: model, modelGenerator: generator, train: trainSet, validation: validationSet,
                                          configuration: settings).run()
            let means = model.variationalLayers.flatMap { $0.layer.weight.mean.array }
            return Double(means.filter { Swift.abs($0) < 0.01 }.count) / Double(means.count)
        }
        let plain = try nearZeroShare(nil)
        let penalised = try nearZeroShare(Regularizer(name: "L1 0.1") { l1Penalty($0) * 0.1 })
        #expect(penalised > 2 * plain, "share of |μ| < 0.01 with L1 \(penalised), without \(plain)")
    }

    /// A checkpoint written without the regularizer is not resumed by a run with one.
    @Test func theRegularizerIsPartOfTheCheckpointFingerprint() throws {
        let folder = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (model, generator) = makeLeNet(bayesian: false)
        _ = try ClassificationTrainer(model: model, modelGenerator: generator, train: trainSet, validation: validationSet,
                                      configuration: configuration(epochs: 1, directory: folder)).run()
        var settings = configuration(epochs: 2, directory: folder)
        settings.regularizer = Regularizer(name: "L1 1") { l1Penalty($0) }
        let (again, generator2) = makeLeNet(bayesian: false)
        #expect {
            _ = try ClassificationTrainer(model: again, modelGenerator: generator2, train: trainSet, validation: validationSet,
                                          configuration: settings).run()
        } throws: { error in
            if case .checkpointMismatch? = error as? TrainingError { true } else { false }
        }
    }

    /// With η = 0 nothing changes, so the validation accuracy never improves after epoch 1 and
    /// patience 1 stops the run after epoch 2; a rerun from the checkpoint stops at once.
    @Test func earlyStoppingEndsTheRunWhenValidationStopsImproving() throws {
        let folder = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        var settings = configuration(epochs: 6, directory: folder)
        settings.learningRate = 0
        settings.earlyStoppingPatience = 1
        let (model, generator) = makeLeNet(bayesian: false)
        let result = try ClassificationTrainer(model: model, modelGenerator: generator, train: trainSet, validation: validationSet,
                                               configuration: settings).run()
        #expect(result.stoppedEarly && result.history.count == 2 && result.bestEpoch == 1)
        let (again, generator2) = makeLeNet(bayesian: false)
        let resumed = try ClassificationTrainer(model: again, modelGenerator: generator2, train: trainSet, validation: validationSet,
                                                configuration: settings).run()
        #expect(resumed.stoppedEarly && resumed.history.count == 2 && resumed.resumedEpochs == 2)
    }
}
