// ClassificationTrainer.swift — the training loop chapters 3–5 share, for frequentist and
// Bayesian classifiers alike.
//
// One epoch:
//   for each minibatch (N images, seeded shuffle and augmentation):
//     frequentist:  loss = cross-entropy(f(x; w), y)
//     Bayesian:     S forward passes → logits [S, N, C]
//                   NLL  = −(1/N) Σ_n log((1/S) Σ_s softmax_s,n[y_n])   (monteCarloClassificationNLL)
//                   loss = NLL + β_i · KL(q ‖ p) / N_train              (elbo, per-example scaling)
//     a NaN or infinite loss stops the run here (TrainingError.nonFiniteLoss), before the step
//     backward, Adam step
//   validation: predictive mean of T Monte Carlo samples → accuracy and NLL
//   ReduceLROnPlateau(validation NLL); the caller's hook; checkpoint (last, and best validation accuracy)
//   early stopping (if asked): stop when the best validation accuracy is `patience` epochs old
// A regularizer R(model), if given, is added to the loss of every step (e.g. chapter 5's L1 penalty).
//
// Resume. The checkpoint holds the model, Adam's moments, the plateau schedule's state, the
// positions of both random streams (data order/augmentation, and the model's noise), and the
// history so far (JSON). A rerun with the same folder continues after the last finished epoch
// and produces exactly the numbers of an uninterrupted run.

import Foundation
import Engine
import NN
import Bayes
import Datasets
import Notebook

/// Trains one classifier on an image dataset, validates it every epoch, tests it at the end.
public final class ClassificationTrainer {
    /// Called after each epoch's validation with the 1-based epoch and the model; what it returns
    /// is stored in that epoch's `EpochRecord.extra` (and so in the checkpointed history).
    public typealias EpochHook = (_ epoch: Int, _ model: Module) throws -> [String: Double]

    public let model: Module
    /// Whether the model has Bayesian layers (ELBO, Monte Carlo evaluation) or not (cross-entropy).
    public let isBayesian: Bool
    public let configuration: TrainingConfiguration
    public let optimizer: Adam
    public let plateau: ReduceLROnPlateau
    public let train: ImageDataset
    public let validation: ImageDataset
    public let test: ImageDataset?
    let trainTransform: ImageTransform
    let evaluationTransform: ImageTransform
    /// The stream the model's layers draw their noise from (saved for an exact resume).
    let modelGenerator: RandomGenerator?
    /// The stream of data order and augmentation.
    let dataGenerator: RandomGenerator
    let loader: DataLoader

    /// - Parameters:
    ///   - model: a classifier mapping [N, C_in, H, W] to logits [N, classes].
    ///   - modelGenerator: the generator the model's layers sample noise from (the `LayerFactory`'s);
    ///     its position is checkpointed so that a resumed run is identical to an uninterrupted one.
    ///   - train, validation, test: the three splits (test optional, evaluated once at the end).
    ///   - trainTransform: per-image transform while training (augmentation allowed).
    ///   - evaluationTransform: per-image transform for validation and test (must not be random).
    public init(model: Module, modelGenerator: RandomGenerator? = nil,
                train: ImageDataset, validation: ImageDataset, test: ImageDataset? = nil,
                trainTransform: ImageTransform = ImageTransform(), evaluationTransform: ImageTransform = ImageTransform(),
                configuration: TrainingConfiguration) {
        precondition(!evaluationTransform.isRandom, "the evaluation transform must be deterministic")
        self.model = model
        self.isBayesian = !model.bayesianLayers.isEmpty
        self.configuration = configuration
        self.optimizer = Adam(parameters: model.parameters, learningRate: configuration.learningRate)
        self.plateau = ReduceLROnPlateau(optimizer: optimizer, factor: configuration.plateauFactor,
                                         patience: configuration.plateauPatience)
        self.train = train
        self.validation = validation
        self.test = test
        self.trainTransform = trainTransform
        self.evaluationTransform = evaluationTransform
        self.modelGenerator = modelGenerator
        self.dataGenerator = RandomGenerator(seed: configuration.seed)
        self.loader = DataLoader(dataset: train, batchSize: configuration.batchSize, shuffle: true,
                                 transform: trainTransform, generator: dataGenerator)
    }

    var lastCheckpointURL: URL? { configuration.checkpointDirectory?.appendingPathComponent("last.safetensors") }
    var bestCheckpointURL: URL? { configuration.checkpointDirectory?.appendingPathComponent("best.safetensors") }

    // MARK: The run

    /// Trains for `configuration.epochs` epochs (continuing a checkpointed run if there is one),
    /// then evaluates the test set.
    /// - Throws: `TrainingError.nonFiniteLoss` naming the epoch and batch where the loss stopped
    ///   being finite; checkpoint errors; whatever `onEpoch` throws (the epoch's checkpoint is then
    ///   not written, as if the run had been interrupted).
    public func run(onEpoch: EpochHook? = nil) throws -> TrainingResult {
        let clock = Stopwatch()
        var history = try resume()
        let resumed = history.count
        var best = history.max { $0.validationAccuracy < $1.validationAccuracy }
        let progress = configuration.showProgress ? ProgressMeter(total: configuration.epochs, label: configuration.label) : nil
        if resumed > 0 { progress?.advance(by: resumed, message: "resumed from \(lastCheckpointURL!.path)") }

        var stoppedEarly = false
        for epoch in stride(from: resumed + 1, through: configuration.epochs, by: 1) {
            if let patience = configuration.earlyStoppingPatience, let best, epoch - 1 - best.epoch >= patience {
                stoppedEarly = true
                break
            }
            let epochClock = Stopwatch()
            let learningRate = Double(optimizer.learningRate)
            let training = try trainOneEpoch(epoch: epoch)
            let validated = evaluate(validation, samples: configuration.validationSamples)
            plateau.step(metric: Float(validated.nll))
            var record = EpochRecord(epoch: epoch, trainLoss: training.loss, trainNLL: training.nll,
                                     trainAccuracy: training.accuracy, validationLoss: validated.nll,
                                     validationAccuracy: validated.accuracy, kl: training.kl,
                                     betaMean: training.betaMean, learningRate: learningRate,
                                     seconds: 0, extra: [:])
            record.extra = try onEpoch?(epoch, model) ?? [:]
            record.seconds = epochClock.elapsed
            history.append(record)
            let isBest = best.map { record.validationAccuracy > $0.validationAccuracy } ?? true
            if isBest { best = record }
            try saveCheckpoint(history: history, best: isBest)
            progress?.advance(message: String(format: "loss %.4f  train %.2f%%  val %.2f%% (nll %.4f)  %@",
                                              record.trainLoss, record.trainAccuracy * 100,
                                              record.validationAccuracy * 100, record.validationLoss,
                                              Stopwatch.format(record.seconds)))
        }
        let tested = test.map { evaluate($0) }
        let stopNote = stoppedEarly ? String(format: "stopped early after epoch %d; ", history.count) : ""
        progress?.finish(stopNote + (tested.map { String(format: "test accuracy %.2f%%", $0.accuracy * 100) } ?? "done"))
        return TrainingResult(history: history, test: tested, bestEpoch: best?.epoch ?? 0,
                              bestValidationAccuracy: best?.validationAccuracy ?? 0,
                              resumedEpochs: resumed, stoppedEarly: stoppedEarly, seconds: clock.elapsed)
    }

    struct EpochTotals { var loss = 0.0, nll = 0.0, accuracy = 0.0, kl = 0.0, betaMean = 0.0 }

    /// One pass over the training set.
    func trainOneEpoch(epoch: Int) throws -> EpochTotals {
        model.train()
        let batches = loader.epoch()
        let m = batches.batches.count
        var totals = EpochTotals()
        var seen = 0
        for (index, batch) in batches.enumerated() {
            let beta = isBayesian ? configuration.betaSchedule.beta(batch: index + 1, batches: m, epoch: epoch - 1,
                                                                    epochs: configuration.epochs) : 0
            let step = try trainingStep(batch, beta: beta, epoch: epoch, batchIndex: index + 1)
            let n = Double(batch.count)
            totals.loss += step.loss * n
            totals.nll += step.nll * n
            totals.accuracy += step.accuracy * n
            totals.betaMean += Double(beta)
            totals.kl = step.kl
            seen += batch.count
        }
        totals.loss /= Double(seen)
        totals.nll /= Double(seen)
        totals.accuracy /= Double(seen)
        totals.betaMean /= Double(max(m, 1))
        return totals
    }

    /// One optimiser step on one minibatch.
    func trainingStep(_ batch: Batch, beta: Float, epoch: Int, batchIndex: Int) throws
        -> (loss: Double, nll: Double, accuracy: Double, kl: Double) {
        let n = batch.count
        optimizer.zeroGrad()
        let logits: Tensor                      // [S, N, C]
        var loss: Tensor
        var nllValue: Float, klValue: Float = 0
        if isBayesian {
            let s = max(configuration.trainingSamples, 1)
            let klTerm: Tensor
            if s == 1 || model.bayesianLayers.allSatisfy({ $0.estimator == .localReparameterization }) {
                // Local reparameterization draws fresh noise per row, so S stacked copies of the
                // batch are S independent samples, in one pass.
                let x = s == 1 ? batch.images : concatenate([Tensor](repeating: batch.images, count: s), axis: 0)
                logits = model(x).reshaped([s, n, -1])
                klTerm = model.kl
            } else {
                // A weight-sampling estimator shares one weight draw per pass: S separate passes.
                var passes: [Tensor] = [], kls: [Tensor] = []
                for _ in 0..<s {
                    passes.append(model(batch.images).reshaped([1, n, -1]))
                    kls.append(model.kl)
                }
                logits = concatenate(passes, axis: 0)
                klTerm = kls.dropFirst().reduce(kls[0]) { $0 + $1 } / Float(s)
            }
            let nll = monteCarloClassificationNLL(logits: logits, labels: batch.labels)
            let objective = elbo(nll: nll, kl: klTerm, beta: beta, datasetSize: configuration.datasetSize ?? train.count,
                                 scaling: configuration.elboScaling)
            loss = objective.loss
            nllValue = objective.nll
            klValue = objective.kl
        } else {
            let output = model(batch.images)
            logits = output.reshaped([1, n, -1])
            loss = crossEntropy(logits: output, labels: batch.labels)
            nllValue = loss.item
        }
        if let regularizer = configuration.regularizer { loss = loss + regularizer.penalty(model) }
        let value = loss.item
        guard value.isFinite else {
            let kept = lastCheckpointURL.flatMap { FileManager.default.fileExists(atPath: $0.path) ? $0.path : nil }
            throw TrainingError.nonFiniteLoss(epoch: epoch, batch: batchIndex, value: value, checkpoint: kept)
        }
        loss.backward()
        optimizer.step()
        let correct = withoutGradient { accuracy(logits: mean(softmax(logits, axis: 2), axes: [0]), labels: batch.labels) }
        if configuration.elboScaling == .reference { nllValue /= Float(configuration.datasetSize ?? train.count) }
        return (Double(value), Double(nllValue), Double(correct), Double(klValue))
    }

    // MARK: Evaluation

    /// Accuracy and NLL of the predictive mean over `samples` Monte Carlo draws (default
    /// `configuration.evaluationSamples`; always 1 for a frequentist net).
    public func evaluate(_ dataset: ImageDataset, samples: Int? = nil) -> Evaluation {
        evaluateClassifier(model, on: dataset, transform: evaluationTransform,
                           samples: isBayesian ? samples ?? configuration.evaluationSamples : 1,
                           batchSize: configuration.batchSize)
    }

    // MARK: Checkpoints

    func saveCheckpoint(history: [EpochRecord], best: Bool) throws {
        guard let directory = configuration.checkpointDirectory, let last = lastCheckpointURL else { return }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity",
                                                                      negativeInfinity: "-Infinity", nan: "NaN")
        var metadata: [String: String] = [
            "epoch": String(history.count),
            "history": String(decoding: try encoder.encode(history), as: UTF8.self),
            "fingerprint": configuration.fingerprint,
            "plateau": String(decoding: try encoder.encode(plateau.state), as: UTF8.self),
            "generator.data": dataGenerator.state.map(String.init).joined(separator: " "),
            "kind": isBayesian ? "bayesian" : "frequentist",
        ]
        if let modelGenerator { metadata["generator.model"] = modelGenerator.state.map(String.init).joined(separator: " ") }
        try Checkpoint.save(model: model, optimizer: optimizer, metadata: metadata, to: last)
        if best, let bestURL = bestCheckpointURL {
            try Checkpoint.save(model: model, optimizer: optimizer, metadata: metadata, to: bestURL)
        }
    }

    /// Restores the last checkpoint, if any, and returns its history (empty for a fresh run).
    func resume() throws -> [EpochRecord] {
        guard let url = lastCheckpointURL, FileManager.default.fileExists(atPath: url.path) else { return [] }
        let metadata = try Checkpoint.load(from: url, into: model, optimizer: optimizer)
        let found = metadata["fingerprint"] ?? "none"
        guard found == configuration.fingerprint else {
            throw TrainingError.checkpointMismatch(path: url.path, expected: configuration.fingerprint, found: found)
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity",
                                                                        negativeInfinity: "-Infinity", nan: "NaN")
        func words(_ key: String) throws -> [UInt64] {
            guard let text = metadata[key] else { throw TrainingError.corruptCheckpoint(path: url.path, reason: "no \(key)") }
            let values = text.split(separator: " ").compactMap { UInt64($0) }
            guard values.count == 4 else { throw TrainingError.corruptCheckpoint(path: url.path, reason: "bad \(key)") }
            return values
        }
        do {
            let history = try decoder.decode([EpochRecord].self, from: Data((metadata["history"] ?? "").utf8))
            plateau.state = try decoder.decode([String: Double].self, from: Data((metadata["plateau"] ?? "").utf8))
            dataGenerator.state = try words("generator.data")
            if let modelGenerator { modelGenerator.state = try words("generator.model") }
            return history
        } catch let error as TrainingError {
            throw error
        } catch {
            throw TrainingError.corruptCheckpoint(path: url.path, reason: "\(error)")
        }
    }
}

/// Accuracy and NLL of a classifier's predictive mean over `samples` Monte Carlo draws on a
/// dataset (evaluation mode, no gradients; one pass whatever `samples` says for a frequentist net).
/// - Parameters:
///   - transform: the per-image transform (must not be random).
///   - batchSize: images per forward pass (default 256).
public func evaluateClassifier(_ model: Module, on dataset: ImageDataset, transform: ImageTransform = ImageTransform(),
                               samples: Int, batchSize: Int = 256) -> Evaluation {
    precondition(!transform.isRandom, "the evaluation transform must be deterministic")
    let t = model.bayesianLayers.isEmpty ? 1 : max(samples, 1)
    model.eval()
    defer { model.train() }
    let loader = DataLoader(dataset: dataset, batchSize: batchSize, shuffle: false,
                            transform: transform, generator: RandomGenerator(seed: 0))
    var correct = 0
    var nll = 0.0
    for batch in loader.epoch() {
        let probabilities = predictiveMean(predict(model, batch.images, samples: t))   // [N, C]
        let c = probabilities.shape[1]
        let predicted = argmax(probabilities)
        for (i, y) in batch.labels.enumerated() {
            if predicted[i] == y { correct += 1 }
            nll -= Foundation.log(Swift.max(Double(probabilities.data[i * c + y]), 1e-12))
        }
    }
    let count = max(dataset.count, 1)
    return Evaluation(accuracy: Double(correct) / Double(count), nll: nll / Double(count),
                      count: dataset.count, samples: t)
}
