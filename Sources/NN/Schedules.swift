// Schedules.swift — learning-rate schedules that drive an optimizer's `learningRate`,
// following PyTorch's `torch.optim.lr_scheduler` semantics.
//
// Contract: a schedule is stepped once per epoch (after the optimizer's steps of that epoch)
// and writes the new rate into the optimizer. Its counters are exposed as `state`, a
// dictionary of numbers, so a checkpoint can store them in its metadata and a resumed run
// continues the schedule where it stopped.

import Engine
import Foundation

/// A schedule of the learning rate over epochs.
public protocol LearningRateSchedule: AnyObject {
    /// The optimizer whose learning rate is set.
    var optimizer: any Optimizer { get }
    /// The counters needed to resume the schedule exactly (save them with a checkpoint).
    var state: [String: Double] { get set }
}

/// Multiplies the learning rate by `gamma` every `stepSize` epochs:
///   η_e = η₀ · γ^⌊e / stepSize⌋.
public final class StepLR: LearningRateSchedule {
    public let optimizer: any Optimizer
    public let stepSize: Int
    public let gamma: Float
    /// η₀, the rate the schedule started from.
    public let baseLearningRate: Float
    /// Epochs completed (calls to `step()`).
    public private(set) var epoch = 0

    /// - Parameters:
    ///   - optimizer: whose learning rate is scheduled; its current rate is η₀.
    ///   - stepSize: epochs between decays.
    ///   - gamma: the decay factor (default 0.1).
    public init(optimizer: any Optimizer, stepSize: Int, gamma: Float = 0.1) {
        precondition(stepSize > 0, "StepLR: stepSize must be positive")
        self.optimizer = optimizer
        self.stepSize = stepSize
        self.gamma = gamma
        baseLearningRate = optimizer.learningRate
    }

    /// Ends an epoch: sets the rate for the next one.
    public func step() {
        epoch += 1
        optimizer.learningRate = baseLearningRate * Foundation.pow(gamma, Float(epoch / stepSize))
    }

    public var state: [String: Double] {
        get { ["epoch": Double(epoch)] }
        set {
            epoch = Int(newValue["epoch"] ?? 0)
            optimizer.learningRate = baseLearningRate * Foundation.pow(gamma, Float(epoch / stepSize))
        }
    }
}

/// Cosine annealing from η₀ down to `minimumLearningRate` over `period` epochs
/// (Loshchilov & Hutter 2017, without restarts; PyTorch's `CosineAnnealingLR` closed form):
///   η_e = η_min + (η₀ − η_min) · (1 + cos(π e / T)) / 2.
/// Past T the cosine continues (the rate rises again), as in PyTorch.
public final class CosineAnnealingLR: LearningRateSchedule {
    public let optimizer: any Optimizer
    /// T, epochs from η₀ to η_min.
    public let period: Int
    public let minimumLearningRate: Float
    public let baseLearningRate: Float
    public private(set) var epoch = 0

    /// - Parameters:
    ///   - optimizer: whose learning rate is scheduled; its current rate is η₀.
    ///   - period: T (PyTorch's `T_max`).
    ///   - minimumLearningRate: η_min (default 0).
    public init(optimizer: any Optimizer, period: Int, minimumLearningRate: Float = 0) {
        precondition(period > 0, "CosineAnnealingLR: period must be positive")
        self.optimizer = optimizer
        self.period = period
        self.minimumLearningRate = minimumLearningRate
        baseLearningRate = optimizer.learningRate
    }

    public func step() {
        epoch += 1
        optimizer.learningRate = rate(at: epoch)
    }

    func rate(at epoch: Int) -> Float {
        let phase = Double.pi * Double(epoch) / Double(period)
        return minimumLearningRate + (baseLearningRate - minimumLearningRate) * Float((1 + Foundation.cos(phase)) / 2)
    }

    public var state: [String: Double] {
        get { ["epoch": Double(epoch)] }
        set { epoch = Int(newValue["epoch"] ?? 0); optimizer.learningRate = rate(at: epoch) }
    }
}

/// Divides the learning rate when a monitored metric stops improving (PyTorch's
/// `ReduceLROnPlateau`). After each epoch, `step(metric:)`:
///   - counts the epoch as bad unless the metric beats the best so far by the threshold
///     (mode min, relative: metric < best·(1 − threshold); absolute: metric < best − threshold;
///     mode max mirrors these);
///   - during a cooldown after a reduction, bad epochs are not counted;
///   - once more than `patience` bad epochs accumulate, sets η ← max(η·factor, η_min)
///     (skipped when the change is below `epsilon`) and starts the cooldown.
public final class ReduceLROnPlateau: LearningRateSchedule {
    public enum Mode: Sendable { case min, max }
    public enum ThresholdMode: Sendable { case relative, absolute }

    public let optimizer: any Optimizer
    public let mode: Mode
    public let factor: Float
    public let patience: Int
    public let threshold: Float
    public let thresholdMode: ThresholdMode
    public let cooldown: Int
    public let minimumLearningRate: Float
    public let epsilon: Float

    /// The best metric seen (+∞ for mode min, −∞ for max, before the first step).
    public private(set) var best: Float
    /// Consecutive epochs without improvement (reset by improvement, reduction and cooldown).
    public private(set) var badEpochs = 0
    /// Epochs of cooldown left.
    public private(set) var cooldownCounter = 0
    /// Epochs seen.
    public private(set) var epoch = 0

    /// - Parameters:
    ///   - optimizer: whose learning rate is reduced.
    ///   - mode: `.min` (default) when lower is better (a loss), `.max` for accuracy.
    ///   - factor: the multiplier on reduction (default 0.1; must be < 1).
    ///   - patience: bad epochs tolerated before reducing (default 10).
    ///   - threshold: the least improvement that counts (default 1e-4).
    ///   - thresholdMode: `.relative` (default) or `.absolute`.
    ///   - cooldown: epochs after a reduction during which bad epochs are ignored (default 0).
    ///   - minimumLearningRate: the floor η_min (default 0).
    ///   - epsilon: reductions smaller than this are skipped (default 1e-8).
    public init(optimizer: any Optimizer, mode: Mode = .min, factor: Float = 0.1, patience: Int = 10,
                threshold: Float = 1e-4, thresholdMode: ThresholdMode = .relative, cooldown: Int = 0,
                minimumLearningRate: Float = 0, epsilon: Float = 1e-8) {
        precondition(factor < 1, "ReduceLROnPlateau: factor must be < 1")
        self.optimizer = optimizer
        self.mode = mode
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.thresholdMode = thresholdMode
        self.cooldown = cooldown
        self.minimumLearningRate = minimumLearningRate
        self.epsilon = epsilon
        best = mode == .min ? .infinity : -.infinity
    }

    /// Whether `metric` improves on `best` by more than the threshold.
    public func isImprovement(_ metric: Float) -> Bool {
        switch (mode, thresholdMode) {
        case (.min, .relative): return metric < best * (1 - threshold)
        case (.min, .absolute): return metric < best - threshold
        case (.max, .relative): return metric > best * (1 + threshold)
        case (.max, .absolute): return metric > best + threshold
        }
    }

    /// Ends an epoch with the monitored metric's value; may reduce the learning rate.
    public func step(metric: Float) {
        epoch += 1
        if isImprovement(metric) {
            best = metric
            badEpochs = 0
        } else {
            badEpochs += 1
        }
        if cooldownCounter > 0 {
            cooldownCounter -= 1
            badEpochs = 0
        }
        if badEpochs > patience {
            let old = optimizer.learningRate
            let new = Swift.max(old * factor, minimumLearningRate)
            if old - new > epsilon { optimizer.learningRate = new }
            cooldownCounter = cooldown
            badEpochs = 0
        }
    }

    public var state: [String: Double] {
        get { ["best": Double(best), "badEpochs": Double(badEpochs), "cooldownCounter": Double(cooldownCounter),
               "epoch": Double(epoch)] }
        set {
            best = newValue["best"].map(Float.init) ?? best
            badEpochs = Int(newValue["badEpochs"] ?? 0)
            cooldownCounter = Int(newValue["cooldownCounter"] ?? 0)
            epoch = Int(newValue["epoch"] ?? 0)
        }
    }
}
