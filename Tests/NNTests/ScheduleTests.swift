import Foundation
import Testing
import Engine
import NN

private func optimizer(learningRate: Float = 1) -> SGD {
    SGD(parameters: [Tensor(zeros: [1], requiresGrad: true)], learningRate: learningRate)
}

@Suite struct ScheduleTests {
    /// Patience 2: the first epoch improves on +∞; epochs 2, 3, 4 are bad; the third bad one
    /// (more than patience) reduces the rate, and the count starts again.
    @Test func plateauReducesAfterPatience() {
        let sgd = optimizer()
        let plateau = ReduceLROnPlateau(optimizer: sgd, factor: 0.5, patience: 2)
        var rates: [Float] = []
        for _ in 0..<8 { plateau.step(metric: 1); rates.append(sgd.learningRate) }
        #expect(rates == [1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25])
    }

    @Test func plateauImprovementResetsAndThresholdIsRelative() {
        let sgd = optimizer()
        let plateau = ReduceLROnPlateau(optimizer: sgd, patience: 1, threshold: 0.1)
        plateau.step(metric: 10)                 // best 10
        plateau.step(metric: 9.5)                // not below 10·0.9 = 9: bad (1)
        #expect(plateau.badEpochs == 1 && plateau.best == 10)
        plateau.step(metric: 8.9)                // improvement: reset
        #expect(plateau.badEpochs == 0 && plateau.best == 8.9)
        plateau.step(metric: 8.9)
        #expect(sgd.learningRate == 1)
        plateau.step(metric: 8.9)                // second bad epoch > patience 1
        #expect(abs(sgd.learningRate - 0.1) < 1e-7)
    }

    @Test func plateauCooldownAndFloor() {
        let sgd = optimizer()
        let plateau = ReduceLROnPlateau(optimizer: sgd, factor: 0.1, patience: 0, cooldown: 2, minimumLearningRate: 0.005)
        var rates: [Float] = []
        for _ in 0..<9 { plateau.step(metric: 5); rates.append(sgd.learningRate) }
        // Epoch 1 improves; 2 reduces (patience 0); 3, 4 cool down; 5 reduces; … floor at 0.005.
        let expected: [Float] = [1, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.005, 0.005]
        #expect(zip(rates, expected).allSatisfy { abs($0 - $1) < 1e-7 }, "\(rates)")
    }

    @Test func plateauModeMax() {
        let sgd = optimizer()
        let plateau = ReduceLROnPlateau(optimizer: sgd, mode: .max, patience: 0)
        plateau.step(metric: 0.5)
        plateau.step(metric: 0.6)
        #expect(sgd.learningRate == 1)
        plateau.step(metric: 0.6)
        #expect(abs(sgd.learningRate - 0.1) < 1e-7)
    }

    @Test func plateauStateRoundTrip() {
        let sgd = optimizer()
        let plateau = ReduceLROnPlateau(optimizer: sgd, patience: 3)
        for metric: Float in [3, 2, 2, 2] { plateau.step(metric: metric) }
        let resumed = ReduceLROnPlateau(optimizer: optimizer(), patience: 3)
        resumed.state = plateau.state
        #expect(resumed.best == 2 && resumed.badEpochs == 2 && resumed.epoch == 4)
    }

    @Test func stepLR() {
        let sgd = optimizer(learningRate: 0.1)
        let schedule = StepLR(optimizer: sgd, stepSize: 2, gamma: 0.5)
        var rates: [Float] = []
        for _ in 0..<5 { schedule.step(); rates.append(sgd.learningRate) }
        #expect(rates == [0.1, 0.05, 0.05, 0.025, 0.025])
    }

    @Test func cosineAnnealing() {
        let sgd = optimizer(learningRate: 1)
        let schedule = CosineAnnealingLR(optimizer: sgd, period: 4, minimumLearningRate: 0.2)
        var rates: [Float] = []
        for _ in 0..<4 { schedule.step(); rates.append(sgd.learningRate) }
        let expected = (1...4).map { 0.2 + 0.8 * Float((1 + cos(Double.pi * Double($0) / 4)) / 2) }
        #expect(zip(rates, expected).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(abs(rates[1] - 0.6) < 1e-6 && abs(rates[3] - 0.2) < 1e-6)
    }
}
