// TrainingConfiguration.swift — what a classification run is told, and what it records per epoch.
//
// Defaults follow the reference implementation (PyTorch-BayesianCNN) where it is sound:
// Adam with η = 0.001, batch 256, ReduceLROnPlateau on the validation loss (patience 6,
// factor 0.1), constant β = 0.1. Where this suite differs (validation loss = NLL of the
// predictive mean, the test set evaluated at the end) the field's comment says so.

import Foundation
import Engine
import NN
import Bayes

/// The knobs of one classification training run (frequentist or Bayesian).
public struct TrainingConfiguration: Sendable {
    /// Total epochs (a resumed run continues up to this many).
    public var epochs: Int
    /// Images per training step N (default 256, as the reference).
    public var batchSize: Int = 256
    /// Adam's step size η (default 0.001).
    public var learningRate: Float = 1e-3
    /// ReduceLROnPlateau on the validation loss: reduce η by `plateauFactor` after `plateauPatience`
    /// epochs without improvement (defaults 6 and 0.1, as the reference).
    public var plateauPatience: Int = 6
    public var plateauFactor: Float = 0.1
    /// S: Monte Carlo forward passes per training step for a Bayesian net (default 1).
    public var trainingSamples: Int = 1
    /// T: Monte Carlo samples of the predictive for validation and test (default 10; 1 for a
    /// frequentist net, whatever is set here).
    public var evaluationSamples: Int = 10
    /// T for the per-epoch validation only, when it should be cheaper than the final test
    /// (nil: `evaluationSamples`).
    public var validationSamples: Int?
    /// β per minibatch (default constant 0.1, the reference's default).
    public var betaSchedule: BetaSchedule = .constant(0.1)
    /// How the ELBO is scaled (default per example: the loss is on the cross-entropy's scale).
    public var elboScaling: ELBOScaling = .perExample
    /// N in the ELBO's KL / N (nil: the size of the training set the trainer is given). Set it when
    /// the epochs see only a subset of the data the posterior is about (e.g. fine-tuning on a
    /// sample): with the subset's size the KL term would weigh more, and pull σ up.
    public var datasetSize: Int?
    /// Seed of the data order and augmentation stream.
    public var seed: UInt64 = 1
    /// Folder for checkpoints (`last.safetensors`, `best.safetensors`); nil: no checkpoints, no resume.
    public var checkpointDirectory: URL?
    /// Label of the progress line (e.g. "Bayesian LeNet-5 on MNIST").
    public var label: String = "training"
    /// Print one progress line per epoch (a live bar on a terminal) to standard error.
    public var showProgress: Bool = true
    /// Stop once the validation accuracy has not improved for this many epochs (nil: run all
    /// epochs). The paper's L1 pruning route trains with early stopping after 5 such epochs.
    public var earlyStoppingPatience: Int?
    /// A term added to every training loss (e.g. the L1 penalty of chapter 5), or nil.
    public var regularizer: Regularizer?

    public init(epochs: Int) {
        precondition(epochs >= 1, "at least one epoch")
        self.epochs = epochs
    }

    /// Everything that must match for a checkpoint to be resumed (the epoch count may grow).
    var fingerprint: String {
        "batch=\(batchSize) lr=\(learningRate) patience=\(plateauPatience) factor=\(plateauFactor) "
            + "S=\(trainingSamples) T=\(evaluationSamples)/\(validationSamples ?? evaluationSamples) beta=\(betaSchedule) scaling=\(elboScaling.rawValue) seed=\(seed)"
            + (regularizer.map { " regularizer=\($0.name)" } ?? "")
            + (earlyStoppingPatience.map { " early-stopping=\($0)" } ?? "")
            + (datasetSize.map { " N=\($0)" } ?? "")
    }
}

/// A penalty R(model) added to the training loss: loss = (ELBO or cross-entropy) + R.
public struct Regularizer: Sendable {
    /// Names the penalty and its strength (e.g. "L1 λ=0.0001"); part of the checkpoint fingerprint.
    public var name: String
    /// R, differentiable in the model's parameters.
    public var penalty: @Sendable (Module) -> Tensor

    public init(name: String, penalty: @escaping @Sendable (Module) -> Tensor) {
        self.name = name
        self.penalty = penalty
    }
}

/// What one epoch measured. Losses are means per example.
public struct EpochRecord: Codable, Equatable, Sendable {
    /// 1-based epoch number.
    public var epoch: Int
    /// Mean training loss (ELBO per example, or cross-entropy).
    public var trainLoss: Double
    /// Mean training NLL (for a frequentist net: the cross-entropy again).
    public var trainNLL: Double
    /// Training accuracy of the S-sample mean of the minibatch predictions, while training.
    public var trainAccuracy: Double
    /// NLL of the T-sample predictive mean on the validation set (what the plateau schedule watches).
    public var validationLoss: Double
    /// Accuracy of the T-sample predictive mean on the validation set.
    public var validationAccuracy: Double
    /// KL(q ‖ p) of the whole model at the end of the epoch (0 for a frequentist net).
    public var kl: Double
    /// Mean β over the epoch's minibatches (0 for a frequentist net).
    public var betaMean: Double
    /// Learning rate used during this epoch.
    public var learningRate: Double
    /// Wall-clock seconds of the epoch (training and validation).
    public var seconds: Double
    /// Whatever the caller's per-epoch hook measured (e.g. one weight's σ), saved with the history.
    public var extra: [String: Double]
}

/// Accuracy and NLL of a predictive on a dataset.
public struct Evaluation: Codable, Equatable, Sendable {
    public var accuracy: Double
    /// −(1/N) Σ log p̄(y_n | x_n), p̄ the T-sample predictive mean.
    public var nll: Double
    public var count: Int
    public var samples: Int
}

/// What a run returns.
public struct TrainingResult: Sendable {
    /// One record per epoch, from epoch 1 (including epochs restored from a checkpoint).
    public var history: [EpochRecord]
    /// The test set under the final model, if a test set was given.
    public var test: Evaluation?
    /// The epoch with the best validation accuracy, and that accuracy.
    public var bestEpoch: Int
    public var bestValidationAccuracy: Double
    /// Epochs restored from a checkpoint instead of trained now (0 for a fresh run).
    public var resumedEpochs: Int
    /// Whether early stopping ended the run before `configuration.epochs`.
    public var stoppedEarly: Bool
    /// Wall-clock seconds spent in this invocation.
    public var seconds: Double
}

/// Why a run stopped.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// The loss became NaN or infinite; the last good checkpoint (if any) is left in place.
    case nonFiniteLoss(epoch: Int, batch: Int, value: Float, checkpoint: String?)
    /// A checkpoint exists but was written by a run with other settings.
    case checkpointMismatch(path: String, expected: String, found: String)
    /// A checkpoint's metadata cannot be read.
    case corruptCheckpoint(path: String, reason: String)

    public var description: String {
        switch self {
        case let .nonFiniteLoss(epoch, batch, value, checkpoint):
            "training diverged: loss \(value) at epoch \(epoch), batch \(batch); "
                + (checkpoint.map { "the last good checkpoint is \($0)" } ?? "no checkpoint was written")
                + " (try a smaller learning rate)"
        case let .checkpointMismatch(path, expected, found):
            "checkpoint \(path) was written with other settings (\(found)); this run uses \(expected). "
                + "Delete the folder or use another one."
        case let .corruptCheckpoint(path, reason):
            "checkpoint \(path) cannot be resumed: \(reason)"
        }
    }
}
