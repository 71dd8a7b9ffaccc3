/*:
 # Chapter 5 — Pruning a Bayesian CNN

 A trained network has far more weights than it needs. The paper (Shridhar et al. 2019, section 7)
 shrinks its Bayesian AlexNet in two ways and keeps the accuracy: **AlexNetHalf**, the same net
 with every convolution half as wide, and **L1 pruning**: train with an L1 penalty on the weights
 (and early stopping), drop the weights that ended up small, fine-tune what is left.

 A Bayesian net offers a better criterion than the size of a weight. Every weight is a Gaussian
 N(μ, σ²), and its **signal-to-noise ratio** |μ| / σ says how sure the posterior is that the weight
 is not zero: a weight with a large mean but a wider posterior is one the net has already learned
 to do without on average. Blundell et al. (2015, section 5.1) removed 95% of a Bayesian MLP's
 weights by this ratio with no loss of accuracy.

 This chapter trains Bayesian LeNet-5 and AlexNet (local reparameterization, as in chapter 3),
 removes 0 … 99% of their weights by |μ| and by |μ|/σ, with and without fine-tuning, follows the
 paper's L1 route, trains AlexNetHalf beside AlexNet, and measures what pruning buys: the bytes of
 a checkpoint that stores only the kept weights, and the prediction speed.

 The machinery lives in `Sources/Bayes/Pruning.swift`: a mask m (1 kept, 0 removed) on every
 Bayesian layer, used as μ ⊙ m and σ ⊙ m by every estimator, so a removed weight leaves both the
 mean and the variance path and gets no gradient; `prune(_:fraction:criterion:scope:)` sets the
 masks; `l1Penalty` is Σ|μ| over the kept weights. The sparse checkpoint layout is
 `Sources/Bayes/PrunedCheckpoint.swift`.
 */
import Foundation
import ArgumentParser
import Engine
import NN
import Bayes
import Datasets
import Models
import Training
import Notebook

// weave: hide-start
struct Chapter5Options: ParsableArguments {
    static let configuration = CommandConfiguration(
        abstract: "Chapter 5: pruning Bayesian LeNet-5 and AlexNet by |μ|, |μ|/σ and the L1 route; AlexNetHalf.")
    @OptionGroup var common: ChapterOptions
    @Option(help: "Run only this model: lenet5 or alexnet (AlexNetHalf is trained beside AlexNet).")
    var model: String?
    @Option(help: "Run only this dataset: mnist or cifar10.")
    var dataset: String?
    @Option(help: "Training epochs of the base nets (default: the profile's).")
    var epochs: Int?
    @Option(name: .customLong("l1"), help: "Strength λ of the L1 penalty λ·Σ|μ|/N of the L1 route (default: 5).")
    var l1: Float?
    @Option(name: .customLong("checkpoints"), help: "Folder for checkpoints; a rerun resumes from them, delete it to start over (default: <out>/checkpoints with --out, else .build/checkpoints/chapter5).")
    var checkpoints: String?
    @Flag(name: .customLong("no-chapter3"), help: "Train the base nets here even when chapter 3 left a checkpoint of the same net.")
    var noChapter3 = false
}
let options = Chapter5Options.parseOrExit()
Weaver.weaveOnlyIfAsked(5, options: options.common)
let clock = Stopwatch()
let outputDirectory = options.common.outputDirectory(chapter: 5)
let profile = options.common.profile
let dataLocation = DataLocation.resolve(explicitDirectory: options.common.dataDir)
let seed = options.common.seed
let loadAtStart = Machine.loadAverage()
// weave: hide-end

/*:
 ## The experiments

 | profile | what | why |
 |---|---|---|
 | smoke | LeNet-5 and AlexNet on a few hundred MNIST images, 1 epoch | seconds; the tests run it |
 | default | LeNet-5 on all of MNIST (5 epochs) and CIFAR-10 batch 1 (10 epochs); AlexNet and AlexNetHalf on 12,000 MNIST images (4 epochs) and CIFAR-10 batch 1 (12 epochs); pruning curves on 1,500 test images; fine-tuning one epoch on a subset; the L1 route at most 3 epochs | ≤ 20 minutes on 2 idle cores |
 | paper | both models on the full MNIST and CIFAR-10, 100 epochs, fine-tuning and L1 training with the paper's early stopping (5 epochs) | hours |

 The base nets are chapter 3's: Bayesian (local reparameterization, softplus, prior N(0, 0.1²)),
 Adam with η = 0.001, batches of 256, constant β = 0.1, an 80/20 seeded train/validation split.
 When chapter 3 has already trained the same net (same dataset, model, seed and profile) and left
 its checkpoint under `.build/checkpoints/chapter3`, this chapter starts from it instead of
 training again; the page says which was done.
 */
struct Experiment {
    var dataset: String                 // "mnist" or "cifar10"
    var architecture: Architecture      // lenet5 or alexnet (alexnet also trains AlexNetHalf)
    var epochs: Int
    var trainLimit: Int?, validationLimit: Int?
    var testLimit: Int?                 // test images of the final accuracies
    var fineTuneFractions: [Double]     // removed fractions that are also fine-tuned
    var fineTuneImages: Int?            // training images of one fine-tuning epoch (nil: all)
}

struct Plan {
    var experiments: [Experiment]
    var fractions: [Double]             // removed fractions of the pruning curves
    var curveTestImages: Int            // test images per curve point
    var curveSamples: Int               // T per curve point
    var testSamples: Int                // T of the final accuracies
    var validationSamples: Int
    var fineTuneEpochs: Int
    var l1Epochs: Int, l1Patience: Int  // the L1 route: at most this many epochs, early stopping
    var l1Threshold: Float              // τ: the L1 route drops weights with |μ| < τ
    var storageFractions: [Double]      // removed fractions whose checkpoint sizes and speed are measured
    var speedImages: Int                // test images of the prediction-speed measurement
}

func plan(for profile: Profile) -> Plan {
    switch profile {
    case .smoke:
        Plan(experiments: [
            Experiment(dataset: "mnist", architecture: .lenet5, epochs: 1, trainLimit: 512, validationLimit: 256, testLimit: 512,
                       fineTuneFractions: [0, 0.9], fineTuneImages: 256),
            Experiment(dataset: "mnist", architecture: .alexnet, epochs: 1, trainLimit: 128, validationLimit: 64, testLimit: 128,
                       fineTuneFractions: [0.9], fineTuneImages: 64),
        ], fractions: [0, 0.5, 0.9, 0.99], curveTestImages: 256, curveSamples: 2, testSamples: 4, validationSamples: 2,
           fineTuneEpochs: 1, l1Epochs: 1, l1Patience: 1, l1Threshold: 0.01, storageFractions: [0, 0.99], speedImages: 32)
    case .default:
        Plan(experiments: [
            Experiment(dataset: "mnist", architecture: .lenet5, epochs: 5, trainLimit: nil, validationLimit: 5000, testLimit: nil,
                       fineTuneFractions: [0, 0.5, 0.9, 0.95, 0.99], fineTuneImages: 12000),
            Experiment(dataset: "cifar10", architecture: .lenet5, epochs: 10, trainLimit: nil, validationLimit: nil, testLimit: nil,
                       fineTuneFractions: [0, 0.5, 0.9, 0.95, 0.99], fineTuneImages: nil),
            Experiment(dataset: "mnist", architecture: .alexnet, epochs: 4, trainLimit: 12000, validationLimit: 2000, testLimit: 2000,
                       fineTuneFractions: [0, 0.9, 0.99], fineTuneImages: 4000),
            Experiment(dataset: "cifar10", architecture: .alexnet, epochs: 12, trainLimit: nil, validationLimit: nil, testLimit: 2000,
                       fineTuneFractions: [0, 0.9, 0.99], fineTuneImages: 4000),
        ], fractions: [0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99], curveTestImages: 1500, curveSamples: 4, testSamples: 10,
           validationSamples: 4, fineTuneEpochs: 1, l1Epochs: 3, l1Patience: 2, l1Threshold: 0.01,
           storageFractions: [0, 0.5, 0.9, 0.99], speedImages: 256)
    case .paper:
        Plan(experiments: ["mnist", "cifar10"].flatMap { dataset in
            [Architecture.lenet5, .alexnet].map {
                Experiment(dataset: dataset, architecture: $0, epochs: 100, trainLimit: nil, validationLimit: nil, testLimit: nil,
                           fineTuneFractions: [0, 0.5, 0.9, 0.95, 0.98, 0.99], fineTuneImages: nil)
            }
        }, fractions: [0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99], curveTestImages: 10000, curveSamples: 10,
           testSamples: 25, validationSamples: 10, fineTuneEpochs: 10, l1Epochs: 100, l1Patience: 5, l1Threshold: 0.01,
           storageFractions: [0, 0.5, 0.9, 0.99], speedImages: 256)
    }
}

// weave: hide-start
var settings = plan(for: profile)
if let epochs = options.epochs { for i in settings.experiments.indices { settings.experiments[i].epochs = epochs } }
if let name = options.model {
    guard let architecture = Architecture(rawValue: name), [.lenet5, .alexnet].contains(architecture) else {
        throw ValidationError("unknown model '\(name)': use lenet5 or alexnet")
    }
    settings.experiments = settings.experiments.filter { $0.architecture == architecture }
}
if let dataset = options.dataset {
    guard ["mnist", "cifar10"].contains(dataset) else { throw ValidationError("unknown dataset '\(dataset)': use mnist or cifar10") }
    settings.experiments = settings.experiments.filter { $0.dataset == dataset }
}
let l1Strength = options.l1 ?? 5
let checkpointRoot = options.checkpoints.map { URL(fileURLWithPath: $0, isDirectory: true) }
    ?? (options.common.out != nil ? outputDirectory.appendingPathComponent("checkpoints", isDirectory: true)
        : URL(fileURLWithPath: ".build/checkpoints/chapter5", isDirectory: true))
let chapter3Checkpoints = URL(fileURLWithPath: ".build/checkpoints/chapter3", isDirectory: true)

/// The size of a file in bytes.
func fileBytes(_ url: URL) throws -> Int { (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0 }
// weave: hide-end

/*:
 ## Training the base nets

 `trainBayesian` is chapter 3's run: a fresh Bayesian net from the seed, `ClassificationTrainer`
 with checkpoints (a rerun resumes), the test set evaluated at the end. The same function, given
 a starting net and a `Regularizer`, fine-tunes a pruned net or runs the L1 route.
 */
struct Trained {
    var model: Module
    var history: [EpochRecord]
    var test: Evaluation
    var source: String                  // where the weights came from
    var checkpoint: URL?                // its last checkpoint (model and Adam's state)
    var stoppedEarly = false
}

struct Job {
    var architecture: Architecture
    var data: ClassificationData
    var train: ImageDataset
    var validation: ImageDataset
    var test: ImageDataset
    var seed: UInt64
}

/// A fresh Bayesian net (local reparameterization) of the job's architecture, and its noise stream.
func makeNet(_ job: Job, _ architecture: Architecture? = nil) -> (Module, RandomGenerator) {
    let generator = RandomGenerator(seed: job.seed)
    let kind = NetworkKind.bayesian(VariationalSettings(estimator: .localReparameterization))
    return ((architecture ?? job.architecture).make(classes: job.data.classes, inputChannels: job.data.channels,
                                                    layers: LayerFactory(kind, generator: generator)), generator)
}

/// Trains `start` (or a fresh net) for `epochs` epochs on `train`, with an optional regularizer
/// and early stopping; a net with pruning masks keeps them (removed weights stay at 0).
func trainBayesian(_ job: Job, architecture: Architecture? = nil, start: Module? = nil, train: ImageDataset? = nil,
                   epochs: Int, regularizer: Regularizer? = nil, patience: Int? = nil,
                   test: (images: ImageDataset, samples: Int)? = nil, continuing: URL? = nil,
                   checkpoint: URL, label: String, settings: Plan) throws -> Trained {
    let (model, generator) = makeNet(job, architecture)
    if let start {
        if start.variationalLayers.contains(where: { $0.layer.weightMask != nil }) { installPruningMasks(model) }
        try model.load(stateDict: Dictionary(uniqueKeysWithValues: start.stateDict))
    }
    var configuration = TrainingConfiguration(epochs: epochs)
    configuration.evaluationSamples = test?.samples ?? settings.testSamples
    configuration.validationSamples = settings.validationSamples
    configuration.seed = job.seed
    configuration.checkpointDirectory = checkpoint
    configuration.label = label
    configuration.regularizer = regularizer
    configuration.earlyStoppingPatience = patience
    if let train, train.count != job.train.count {
        configuration.datasetSize = job.train.count // the KL term is about all the training data, even when an epoch sees a subset
    }
    let trainer = ClassificationTrainer(model: model, modelGenerator: generator, train: train ?? job.train,
                                        validation: job.validation, test: test?.images ?? job.test,
                                        trainTransform: job.data.trainTransform, evaluationTransform: job.data.evaluationTransform,
                                        configuration: configuration)
    // Continuing a run: Adam's moments from its checkpoint. A fresh Adam moves every weight by
    // about η in its first steps whatever its gradient's noise, which knocked a trained AlexNet
    // from 81% to 51% in one epoch of "fine-tuning" at 0% removed.
    if let continuing, !FileManager.default.fileExists(atPath: checkpoint.appendingPathComponent("last.safetensors").path) {
        try Checkpoint.load(from: continuing, into: makeNet(job, architecture).0, optimizer: trainer.optimizer)
    }
    let result = try trainer.run()
    return Trained(model: model, history: result.history, test: result.test!, source: "trained here",
                   checkpoint: checkpoint.appendingPathComponent("last.safetensors"), stoppedEarly: result.stoppedEarly)
}

/// Chapter 3's trained net, when it left a checkpoint of the same net (its last epoch).
func chapter3Net(_ job: Job, checkpoint: URL, samples: Int) throws -> Trained? {
    guard FileManager.default.fileExists(atPath: checkpoint.path) else { return nil }
    let (model, _) = makeNet(job)
    let metadata = try Checkpoint.load(from: checkpoint, into: model)
    let epochs = metadata["epoch"] ?? "?"
    let test = evaluateClassifier(model, on: job.test, transform: job.data.evaluationTransform, samples: samples)
    return Trained(model: model, history: [], test: test, source: "chapter 3's checkpoint after \(epochs) epochs",
                   checkpoint: checkpoint)
}

/*:
 ## Pruning curves

 For each criterion and each fraction f, `prune` keeps the (1 − f) highest-scoring weights of the
 whole net (one threshold for all layers, `PruningScope.global`) and the pruned net is tested at
 once, without retraining, with the same Monte Carlo noise at every point. The masks are then removed again, so the next point starts from the
 same trained net. Fine-tuning continues the training run (its Adam state included) on the masked
 net: the removed weights stay at exactly 0, the others adapt. To keep the comparison fair, the unpruned net (f = 0)
 gets the same fine-tuning budget.
 */
struct CurvePoint { var fraction: Double; var accuracy: Double; var kept: Int }

func pruningCurve(_ model: Module, _ job: Job, criterion: PruningCriterion, fractions: [Double], testSet: ImageDataset,
                  samples: Int) -> [CurvePoint] {
    // The same noise at every point (common random numbers): differences between points, and
    // between criteria, are then the pruning's, not the Monte Carlo draw's.
    for layer in model.bayesianLayers { layer.sampling = .fixed(seed: job.seed) }
    defer {
        removePruningMasks(model)
        for layer in model.bayesianLayers { layer.sampling = .sample }
    }
    return fractions.map { fraction in
        let summary = prune(model, fraction: fraction, criterion: criterion)
        let accuracy = evaluateClassifier(model, on: testSet, transform: job.data.evaluationTransform, samples: samples).accuracy
        return CurvePoint(fraction: fraction, accuracy: accuracy, kept: summary.kept)
    }
}

/// A copy of `model` with the lowest-scoring `fraction` removed, fine-tuned for `epochs` epochs
/// and tested like the curve points (on `testSet` with `settings.curveSamples`).
func fineTuned(_ trained: Trained, _ job: Job, criterion: PruningCriterion, fraction: Double, epochs: Int, images: Int?,
               testSet: ImageDataset, checkpoint: URL, settings: Plan) throws -> Trained {
    let model = trained.model
    prune(model, fraction: fraction, criterion: criterion)
    defer { removePruningMasks(model) }
    return try trainBayesian(job, start: model, train: job.train.prefix(images), epochs: epochs,
                             test: (testSet, settings.curveSamples), continuing: trained.checkpoint, checkpoint: checkpoint,
                             label: "fine-tuning \(job.architecture) at \(Int(fraction * 100))% removed by \(criterion)",
                             settings: settings)
}

/*:
 ## The L1 route

 The paper's recipe: continue training with an L1 penalty on the weights, λ Σ|μ|, until the
 validation accuracy stops improving (early stopping), drop every weight with |μ| < τ, and
 fine-tune. In the per-example scaling of this suite's ELBO (`Sources/Bayes/ELBO.swift`) the
 penalty is added as λ Σ|μ| / N — the negative log density of a Laplace prior of scale 1/λ, next
 to the Gaussian prior's KL term. The L1-trained net is also pruned by |μ| at every fraction, to
 see whether the penalty made magnitude pruning cheaper.
 */
func l1Regularizer(strength lambda: Float, trainingImages n: Int) -> Regularizer {
    Regularizer(name: "L1 λ=\(lambda) N=\(n)") { model in l1Penalty(model) * (lambda / Float(n)) }
}

/// Fraction of the weights with |μ| < τ.
func fractionBelow(_ model: Module, threshold tau: Float) -> Double {
    let layers = model.variationalLayers.map(\.layer)
    let total = layers.reduce(0) { $0 + $1.weight.mean.count }
    let small = layers.reduce(0) { count, layer in count + layer.weight.mean.array.filter { Swift.abs($0) < tau }.count }
    return Double(small) / Double(max(total, 1))
}

/*:
 ## What pruning buys

 A mask makes no kernel faster: the dense convolutions and matrix products multiply the zeros
 like any other number. What shrinks is what must be stored — `PrunedCheckpoint.save` writes only
 the kept weights' μ and ρ and a one-bit-per-weight mask — and, for the paper's AlexNetHalf, the
 computation itself. `predictionRate` times Monte Carlo prediction (T = 10), `trainingStepSeconds`
 one training step.
 */
/// Images per second of T = 10 Monte Carlo prediction on `x` (best of three).
func predictionRate(_ model: Module, _ x: Tensor) -> Double {
    model.eval()
    defer { model.train() }
    _ = predict(model, x, samples: 10)
    let best = (0..<3).map { _ in
        let watch = Stopwatch()
        _ = predict(model, x, samples: 10)
        return watch.elapsed
    }.min()!
    return Double(x.shape[0]) / best
}

/// Seconds of one training step (ELBO with S = 1, backward, Adam) on `batch`, median of five,
/// measured on a throw-away copy of a fresh net.
func trainingStepSeconds(_ job: Job, _ architecture: Architecture, _ batch: Batch) -> Double {
    let (model, _) = makeNet(job, architecture)
    let optimizer = Adam(parameters: model.parameters, learningRate: 1e-3)
    func step() {
        optimizer.zeroGrad()
        let loss = elbo(nll: crossEntropy(logits: model(batch.images), labels: batch.labels), kl: model.kl, beta: 0.1,
                        datasetSize: job.train.count, scaling: .perExample).loss
        loss.backward()
        optimizer.step()
    }
    step()
    let times = (0..<5).map { _ in let watch = Stopwatch(); step(); return watch.elapsed }.sorted()
    return times[2]
}

// weave: hide-start
/// Weights (the Gaussian posteriors' means, biases excluded) of a model.
func weightCount(_ model: Module) -> Int { pruningSummary(model).total }
func dataKey(_ name: String) -> String { name == "mnist" ? "MNIST" : "CIFAR-10" }
func percentText(_ value: Double) -> String { String(format: "%.2f", value * 100) }

var metrics: [String: JSONValue] = [:]
var figures: [Figure] = []
var missing: [String: String] = [:]
var images: [(String, Image)] = []
var cache: [String: ClassificationData] = [:]
var paperRows: [String: [String: String]] = [:]      // model row → dataset → "accuracy (kept)"
var storageTable = "| net | removed by | weights removed | weights kept | dense checkpoint with mask | sparse checkpoint | unpruned dense ÷ sparse | T = 10 prediction, images/s |\n|---|---|---|---|---|---|---|---|\n"
var layerTable = "| net | layer | weights | kept at 90% by |μ| | kept at 90% by SNR | kept at 99% by SNR |\n|---|---|---|---|---|---|---|\n"
var speedTable = "| net | dataset | weights | training step (s, batch 128) | T = 10 prediction, images/s | test accuracy |\n|---|---|---|---|---|---|\n"
let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("chapter5-\(UUID().uuidString)", isDirectory: true)
try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: scratch) }
// weave: hide-end

/*:
 ## Running everything
 */
for experiment in settings.experiments {
    // weave: hide-start
    if missing[experiment.dataset] != nil { continue }
    let data: ClassificationData
    if let cached = cache[experiment.dataset] { data = cached } else {
        do { data = try ClassificationData.load(experiment.dataset, from: dataLocation, validationSeed: seed) }
        catch let error as DatasetError {
            missing[experiment.dataset] = error.description
            print("chapter 5: \(experiment.dataset) not run: \(error)")
            continue
        }
        cache = [experiment.dataset: data]
    }
    let name = "\(experiment.dataset)-\(experiment.architecture.rawValue)"
    let key = "\(experiment.dataset)_\(experiment.architecture.rawValue)"
    let title = "Bayesian \(experiment.architecture) on \(dataKey(experiment.dataset))"
    let job = Job(architecture: experiment.architecture, data: data, train: data.train.prefix(experiment.trainLimit),
                  validation: data.validation.prefix(experiment.validationLimit), test: data.test.prefix(experiment.testLimit),
                  seed: seed)
    let curveTest = data.test.prefix(settings.curveTestImages)
    let folder = { (part: String) in checkpointRoot.appendingPathComponent("\(name)-\(part)-seed\(seed)-\(profile.rawValue)") }
    var record: [String: JSONValue] = [:]
    // weave: hide-end
    // 1. The trained net: chapter 3's, or trained here.
    let chapter3 = options.noChapter3 ? nil
        : try chapter3Net(job, checkpoint: chapter3Checkpoints
            .appendingPathComponent("\(name)-bayesian-lrt-seed\(seed)-\(profile.rawValue)/last.safetensors"),
                          samples: settings.testSamples)
    let base = try chapter3 ?? trainBayesian(job, epochs: experiment.epochs, checkpoint: folder("base"),
                                             label: "\(title)", settings: settings)

    // 2. Pruning curves without fine-tuning, by |μ| and by |μ|/σ.
    let curves = PruningCriterion.allCases.map { criterion in
        (criterion, pruningCurve(base.model, job, criterion: criterion, fractions: settings.fractions, testSet: curveTest,
                                 samples: settings.curveSamples))
    }

    // 3. The same with fine-tuning, at a few fractions.
    var tuned: [(criterion: PruningCriterion, fraction: Double, result: Trained)] = []
    for fraction in experiment.fineTuneFractions {
        for criterion in fraction == 0 ? [PruningCriterion.signalToNoise] : PruningCriterion.allCases {
            let result = try fineTuned(base, job, criterion: criterion, fraction: fraction, epochs: settings.fineTuneEpochs,
                                       images: experiment.fineTuneImages, testSet: curveTest,
                                       checkpoint: folder("finetune-\(criterion)-\(Int((fraction * 1000).rounded()))"), settings: settings)
            tuned.append((criterion, fraction, result))
        }
    }

    // 4. The L1 route: train on with λ Σ|μ| / N and early stopping, cut |μ| < τ, fine-tune.
    let l1 = try trainBayesian(job, start: base.model, epochs: settings.l1Epochs,
                               regularizer: l1Regularizer(strength: l1Strength, trainingImages: job.train.count),
                               patience: settings.l1Patience, checkpoint: folder("l1-\(l1Strength)"), label: "\(title) with L1", settings: settings)
    let l1Curve = pruningCurve(l1.model, job, criterion: .magnitude, fractions: settings.fractions, testSet: curveTest,
                               samples: settings.curveSamples)
    let l1Cut = fractionBelow(l1.model, threshold: settings.l1Threshold)
    let l1Tuned = try fineTuned(l1, job, criterion: .magnitude, fraction: l1Cut, epochs: settings.fineTuneEpochs,
                                images: experiment.fineTuneImages, testSet: curveTest, checkpoint: folder("l1-\(l1Strength)-finetune"), settings: settings)

    // weave: hide-start
    let total = weightCount(base.model)
    record["source"] = .string(base.source)
    record["files"] = .string(data.files)
    record["trainImages"] = JSONValue(job.train.count)
    record["epochs"] = JSONValue(base.history.count)
    record["weights"] = JSONValue(total)
    record["testAccuracy"] = JSONValue(base.test.accuracy)
    record["testImages"] = JSONValue(job.test.count)
    for (criterion, points) in curves {
        record["curve_\(criterion)"] = .array(points.map { ["removed": JSONValue($0.fraction), "accuracy": JSONValue($0.accuracy)] })
        for point in points { record["\(criterion)_\(Int((point.fraction * 100).rounded()))"] = JSONValue(point.accuracy) }
    }
    for point in l1Curve { record["l1_\(Int((point.fraction * 100).rounded()))"] = JSONValue(point.accuracy) }
    for entry in tuned {
        record["tuned_\(entry.criterion)_\(Int((entry.fraction * 100).rounded()))"] = JSONValue(entry.result.test.accuracy)
    }
    record["l1"] = [
        "epochs": JSONValue(l1.history.count), "stoppedEarly": .bool(l1.stoppedEarly), "testAccuracy": JSONValue(l1.test.accuracy),
        "removedBelowThreshold": JSONValue(l1Cut), "fineTunedAccuracy": JSONValue(l1Tuned.test.accuracy),
        "baseBelowThreshold": JSONValue(fractionBelow(base.model, threshold: settings.l1Threshold)),
    ]

    // The figure: accuracy against the fraction removed.
    var figure = Figure(name: "pruning-\(name)", title: "\(title): test accuracy after pruning",
                        xLabel: "weights removed (%)", yLabel: "test accuracy (%)", width: 700, height: 450)
    figure.key = "bottom left"
    for (index, (criterion, points)) in curves.enumerated() {
        let label = criterion == .magnitude ? "|μ|" : "|μ|/σ (SNR)"
        figure.line("\(label), no fine-tuning", x: points.map { $0.fraction * 100 }, y: points.map { $0.accuracy * 100 },
                    color: Figure.palette[index])
        let mine = tuned.filter { $0.criterion == criterion || $0.fraction == 0 }.sorted { $0.fraction < $1.fraction }
        figure.line("\(label), fine-tuned", x: mine.map { $0.fraction * 100 }, y: mine.map { $0.result.test.accuracy * 100 },
                    color: Figure.palette[index], dashed: true)
        figure.points(nil, x: mine.map { $0.fraction * 100 }, y: mine.map { $0.result.test.accuracy * 100 }, color: Figure.palette[index], size: 0.9)
    }
    figure.line("L1-trained, |μ|, no fine-tuning", x: l1Curve.map { $0.fraction * 100 }, y: l1Curve.map { $0.accuracy * 100 },
                color: Figure.palette[2])
    figure.points(String(format: "L1 route: |μ| < %.2g cut, fine-tuned", settings.l1Threshold), x: [l1Cut * 100],
                  y: [l1Tuned.test.accuracy * 100], color: Figure.palette[2], size: 1.6, pointType: 9)
    figures.append(figure)

    // log10 SNR of the trained weights with the global cut-offs.
    let snr = base.model.variationalLayers.flatMap { $0.layer.pruningScores(.signalToNoise).array }.map { Foundation.log10(Double($0)) }
    var histogram = Figure(name: "snr-\(name)", title: "\(title): log₁₀ |μ|/σ of every weight",
                           xLabel: "log₁₀ |μ|/σ", yLabel: "density", width: 700, height: 450)
    histogram.key = "top left"
    // A few weights have |μ| ≈ 0 (log₁₀ SNR down to −12); the axis starts at the 0.1% quantile.
    let sortedSNR = snr.sorted()
    let shownRange = sortedSNR[sortedSNR.count / 1000] ... sortedSNR.last!
    histogram.histogram("\(total) weights (the lowest 0.1% left of the axis)", values: snr, bins: 60, range: shownRange,
                        density: true, color: Figure.palette[0])
    for (index, fraction) in [0.5, 0.9, 0.99].enumerated() {
        let cutoff = prune(base.model, fraction: fraction, criterion: .signalToNoise).layers.compactMap(\.threshold).max() ?? 0
        histogram.raw("set arrow \(index + 1) from \(Foundation.log10(Double(cutoff))), graph 0 to \(Foundation.log10(Double(cutoff))), graph 1 nohead lw 2 dt 2 lc rgb '\(Figure.palette[3])'")
        histogram.raw("set label \(index + 1) '\(Int(fraction * 100))% removed' at \(Foundation.log10(Double(cutoff))), graph \(0.95 - 0.07 * Double(index)) right offset -0.5,0 font ',9'")
        record["snrCutoff_\(Int(fraction * 100))"] = JSONValue(Foundation.log10(Double(cutoff)))
    }
    removePruningMasks(base.model)
    record["snrMedian"] = JSONValue(sortedSNR[sortedSNR.count / 2])
    figures.append(histogram)

    // Which layers lose their weights under one global threshold.
    let at90Magnitude = prune(base.model, fraction: 0.9, criterion: .magnitude).layers
    let at90SNR = prune(base.model, fraction: 0.9, criterion: .signalToNoise).layers
    let at99SNR = prune(base.model, fraction: 0.99, criterion: .signalToNoise).layers
    removePruningMasks(base.model)
    for (index, layer) in at90SNR.enumerated() {
        layerTable += "| \(index == 0 ? "\(experiment.architecture), \(dataKey(experiment.dataset))" : "") | \(layer.name) | \(layer.total) | "
            + "\(percentText(Double(at90Magnitude[index].kept) / Double(layer.total)))% | \(percentText(Double(layer.kept) / Double(layer.total)))% | "
            + "\(percentText(Double(at99SNR[index].kept) / Double(layer.total)))% |\n"
    }

    // Storage and prediction speed after pruning (by SNR).
    let speedBatch = job.test.batch(Array(0..<min(settings.speedImages, job.test.count)), transform: job.data.evaluationTransform).images
    let unprunedURL = scratch.appendingPathComponent("\(name)-unpruned.safetensors")
    try Checkpoint.save(model: base.model, to: unprunedURL)
    let unprunedBytes = try fileBytes(unprunedURL)
    record["unprunedCheckpointBytes"] = JSONValue(unprunedBytes)
    for fraction in settings.storageFractions {
        let summary = prune(base.model, fraction: fraction, criterion: .signalToNoise)
        let dense = scratch.appendingPathComponent("\(name)-dense.safetensors")
        try Checkpoint.save(model: base.model, to: dense)
        let denseBytes = try fileBytes(dense)
        let sparseURL = scratch.appendingPathComponent("\(name)-sparse.safetensors")
        let sparseBytes = try PrunedCheckpoint.save(base.model, to: sparseURL)
        // The sparse file must give back the same net: compare the mean-weight outputs.
        let (restored, _) = makeNet(job)
        try PrunedCheckpoint.load(from: sparseURL, into: restored)
        let same = withoutGradient { () -> Bool in
            for layer in base.model.bayesianLayers + restored.bayesianLayers { layer.sampling = .mean }
            defer { for layer in base.model.bayesianLayers { layer.sampling = .sample } }
            let (a, b) = (base.model(speedBatch).array, restored(speedBatch).array)
            return zip(a, b).allSatisfy { Swift.abs($0 - $1) <= 1e-5 * Swift.max(1, Swift.abs($0)) }
        }
        guard same else { throw ValidationError("the sparse checkpoint of \(name) at \(fraction) removed does not reproduce the net") }
        let rate = predictionRate(base.model, speedBatch)
        storageTable += "| \(experiment.architecture), \(dataKey(experiment.dataset)) | \(fraction == 0 ? "—" : "SNR") | \(percentText(fraction))% | \(summary.kept) | "
            + String(format: "%.1f kB | %.1f kB | %.1f× | %.0f |\n", Double(denseBytes) / 1000, Double(sparseBytes) / 1000,
                     Double(unprunedBytes) / Double(max(sparseBytes, 1)), rate)
        record["storage_\(Int(fraction * 100))"] = ["dense": JSONValue(denseBytes), "sparse": JSONValue(sparseBytes),
                                                    "kept": JSONValue(summary.kept), "imagesPerSecond": JSONValue(rate)]
    }
    removePruningMasks(base.model)

    // The first layer's masks at 90% removed, as pictures (LeNet-5: 6 filters of 5×5).
    if experiment.architecture == .lenet5, let conv1 = base.model.variationalLayers.first?.layer {
        let shape = conv1.weight.shape           // [6, 1, 5, 5]
        let means = conv1.weight.mean
        let limit = means.array.map { Swift.abs($0) }.max() ?? 1
        images.append(("conv1-mean-\(name)", Image.grid(batch: means.reshaped([shape[0] * shape[1], 1, shape[2], shape[3]]),
                                                         range: -limit ... limit, columns: shape[0], padding: 1, scale: 12)))
        for criterion in PruningCriterion.allCases {
            prune(base.model, fraction: 0.9, criterion: criterion)
            let mask = conv1.weightMask!.reshaped([shape[0] * shape[1], 1, shape[2], shape[3]])
            images.append(("conv1-kept-\(criterion)-\(name)", Image.grid(batch: mask, columns: shape[0], padding: 1, background: 128, scale: 12)))
            record["conv1Kept90_\(criterion)"] = JSONValue(Int(mask.array.reduce(0, +)))
        }
        removePruningMasks(base.model)
        record["conv1Weights"] = JSONValue(means.count)
    }

    // AlexNetHalf beside AlexNet: accuracy, size, speed.
    let stepBatch = job.train.batch(Array(0..<min(128, job.train.count)), transform: ImageTransform())
    var speedRows: [(Architecture, Trained)] = [(experiment.architecture, base)]
    if experiment.architecture == .alexnet {
        let half = try trainBayesian(job, architecture: .alexnetHalf, epochs: experiment.epochs, checkpoint: folder("half"),
                                     label: "Bayesian AlexNetHalf on \(dataKey(experiment.dataset))", settings: settings)
        speedRows.append((.alexnetHalf, half))
        record["half"] = ["testAccuracy": JSONValue(half.test.accuracy), "weights": JSONValue(weightCount(half.model))]
        paperRows["AlexNetHalf", default: [:]][experiment.dataset] = percentText(half.test.accuracy)
    }
    for (architecture, net) in speedRows {
        let seconds = trainingStepSeconds(job, architecture, stepBatch)
        let rate = predictionRate(net.model, speedBatch)
        speedTable += "| \(architecture) | \(dataKey(experiment.dataset)) | \(weightCount(net.model)) | " + String(format: "%.3f | %.0f | ", seconds, rate)
            + "\(percentText(net.test.accuracy))% |\n"
        record["speed_\(architecture.rawValue)"] = ["stepSeconds": JSONValue(seconds), "imagesPerSecond": JSONValue(rate)]
    }
    paperRows["\(experiment.architecture)", default: [:]][experiment.dataset] = percentText(base.test.accuracy)
    paperRows["\(experiment.architecture)+L1", default: [:]][experiment.dataset] =
        "\(percentText(l1Tuned.test.accuracy)) (\(percentText(l1Cut))% removed)"
    paperRows["\(experiment.architecture), 90% removed by SNR, fine-tuned", default: [:]][experiment.dataset] =
        tuned.first { $0.criterion == .signalToNoise && Swift.abs($0.fraction - 0.9) < 1e-9 }.map { percentText($0.result.test.accuracy) } ?? "—"
    metrics[key] = .object(record)
    // weave: hide-end
}

// weave: hide-start
let paper: [String: (mnist: String, cifar: String)] = ["AlexNet": ("99", "73"), "AlexNetHalf": ("99", "79"), "AlexNet+L1": ("99", "71")]
var table = "| net | MNIST, paper | MNIST, here | CIFAR-10, paper | CIFAR-10, here |\n|---|---|---|---|---|\n"
let rowOrder = ["AlexNet", "AlexNetHalf", "AlexNet+L1", "AlexNet, 90% removed by SNR, fine-tuned",
                "LeNet-5", "LeNet-5+L1", "LeNet-5, 90% removed by SNR, fine-tuned"]
for row in rowOrder where paperRows[row] != nil || paper[row] != nil {
    let here = paperRows[row] ?? [:]
    table += "| \(row) | \(paper[row]?.mnist ?? "—") | \(here["mnist"] ?? "not run") | \(paper[row]?.cifar ?? "—") | \(here["cifar10"] ?? "not run") |\n"
}
metrics["table"] = .string(table)
metrics["storageTable"] = .string(storageTable)
metrics["layerTable"] = .string(layerTable)
metrics["speedTable"] = .string(speedTable)
metrics["settings"] = [
    "l1Strength": JSONValue(l1Strength), "l1Threshold": JSONValue(settings.l1Threshold), "l1Epochs": JSONValue(settings.l1Epochs),
    "l1Patience": JSONValue(settings.l1Patience), "fineTuneEpochs": JSONValue(settings.fineTuneEpochs),
    "curveSamples": JSONValue(settings.curveSamples), "curveTestImages": JSONValue(settings.curveTestImages),
    "testSamples": JSONValue(settings.testSamples), "speedImages": JSONValue(settings.speedImages),
]
metrics["missingNote"] = .string(missing.isEmpty ? "Every dataset of this profile was found."
    : missing.sorted { $0.key < $1.key }.map { "**\(dataKey($0.key)) was not run**: \($0.value)." }.joined(separator: " "))
metrics["minutes"] = JSONValue(clock.elapsed / 60)
metrics["machineLoad"] = ["atStart": JSONValue(loadAtStart), "atEnd": JSONValue(Machine.loadAverage())]

try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
for (name, image) in images { try image.write(to: outputDirectory.appendingPathComponent("\(name).png")) }
for figure in figures { _ = try figure.write(to: outputDirectory) }
let results = Results(chapter: 5, profile: profile.rawValue, seed: seed, epochs: settings.experiments.map(\.epochs).max(),
                      wallTimeSeconds: clock.elapsed, metrics: metrics)
try results.write(to: outputDirectory.appendingPathComponent("results.json"))
print(String(format: "chapter 5 (%@ profile): wall time %.1f s", profile.rawValue, clock.elapsed))
print(table)
print(storageTable)
print(speedTable)
if profile != .smoke && options.model == nil && options.dataset == nil {
    try Weaver.weaveChapter(5, options: options.common)
}
// weave: hide-end

/*:
 ## The paper's table

 Test accuracy in percent (T = {{result: settings.testSamples}} Monte Carlo samples; the paper
 reports validation accuracy after 100 epochs on the full training sets). "+L1" is the paper's
 route: training on with λ = {{result: settings.l1Strength}} for at most
 {{result: settings.l1Epochs}} epochs (early stopping after {{result: settings.l1Patience}}
 without improvement), cutting |μ| < τ = {{result: settings.l1Threshold}}, and fine-tuning for
 {{result: settings.fineTuneEpochs}} epoch(s).

{{result: table}}

 {{result: missingNote}}

 ## Accuracy against the weights removed

 Each curve point keeps the best (1 − f) of the weights and tests on
 {{result: settings.curveTestImages}} test images with T = {{result: settings.curveSamples}}; the
 fine-tuned points (dashed) and the L1 route's point are tested on the same images.

 {{figure: pruning-mnist-lenet5}}

 {{figure: pruning-cifar10-lenet5}}

 {{figure: pruning-mnist-alexnet}}

 {{figure: pruning-cifar10-alexnet}}

 **LeNet-5 on MNIST**: the signal-to-noise ratio is the better criterion once more than half of
 the weights go. At 80% removed, without retraining, the SNR-pruned net keeps
 {{result: mnist_lenet5.snr_80 %.3f}} accuracy and the |μ|-pruned one {{result: mnist_lenet5.magnitude_80 %.3f}}
 (unpruned: {{result: mnist_lenet5.snr_0 %.3f}}); at 90%, {{result: mnist_lenet5.snr_90 %.3f}} against
 {{result: mnist_lenet5.magnitude_90 %.3f}}. One epoch of fine-tuning on 12,000 images brings the 90% nets to
 {{result: mnist_lenet5.tuned_snr_90 %.3f}} (SNR) and {{result: mnist_lenet5.tuned_magnitude_90 %.3f}} (|μ|), the
 95% nets to {{result: mnist_lenet5.tuned_snr_95 %.3f}} and {{result: mnist_lenet5.tuned_magnitude_95 %.3f}}. At 99%
 ({{result: mnist_lenet5.storage_99.kept}} weights left) neither recovers in one epoch
 ({{result: mnist_lenet5.tuned_snr_99 %.3f}} and {{result: mnist_lenet5.tuned_magnitude_99 %.3f}}): one global
 threshold then leaves fc1 with a fraction of a percent of its weights (the layer table below).
 This net trained for 5 epochs only; Blundell et al.'s 95% without loss was on a fully trained MLP.

 **LeNet-5 on CIFAR-10** (43% accurate after 10 epochs on 8,000 images) loses accuracy from the first
 cuts — a net that has not learned much has no redundant weights to spare — and the two criteria
 are close without retraining ({{result: cifar10_lenet5.snr_70 %.3f}} by SNR, {{result: cifar10_lenet5.magnitude_70 %.3f}}
 by |μ| at 70%); after fine-tuning SNR is ahead at 90% ({{result: cifar10_lenet5.tuned_snr_90 %.3f}} against
 {{result: cifar10_lenet5.tuned_magnitude_90 %.3f}}) and 95% ({{result: cifar10_lenet5.tuned_snr_95 %.3f}} against
 {{result: cifar10_lenet5.tuned_magnitude_95 %.3f}}).

 **AlexNet** is far from trained in this budget ({{result: mnist_alexnet.testAccuracy %.3f}} on MNIST after 4
 epochs on 12,000 images, {{result: cifar10_alexnet.testAccuracy %.3f}} on CIFAR-10) and breaks down early:
 at 50% removed it keeps {{result: mnist_alexnet.snr_50 %.3f}} (SNR) and {{result: mnist_alexnet.magnitude_50 %.3f}}
 (|μ|) on MNIST, and at 70% {{result: mnist_alexnet.snr_70 %.3f}} / {{result: mnist_alexnet.magnitude_70 %.3f}} on MNIST and
 {{result: cifar10_alexnet.snr_70 %.3f}} / {{result: cifar10_alexnet.magnitude_70 %.3f}} on CIFAR-10 (SNR / |μ|; chance is 0.10). One epoch of
 fine-tuning on 4,000 images gives {{result: mnist_alexnet.tuned_snr_90 %.3f}} / {{result: mnist_alexnet.tuned_magnitude_90 %.3f}}
 (MNIST) and {{result: cifar10_alexnet.tuned_snr_90 %.3f}} / {{result: cifar10_alexnet.tuned_magnitude_90 %.3f}}
 (CIFAR-10) at 90% removed (SNR / |μ|). The paper's pruned AlexNets were trained for 100 epochs first;
 the paper profile does that.

 ## The signal-to-noise ratio of the trained weights

 | | |
 |---|---|
 | {{figure: snr-mnist-lenet5}} | {{figure: snr-cifar10-lenet5}} |
 | {{figure: snr-mnist-alexnet}} | {{figure: snr-cifar10-alexnet}} |

 The dashed lines are the global cut-offs that remove 50%, 90% and 99% of the weights. One
 threshold for the whole net does not take the same share from every layer:

{{result: layerTable}}

 LeNet-5's first layer on MNIST — the means μ of its six 5×5 filters (grey is 0), and the weights
 each criterion keeps when 90% of the whole net's weights go (white: kept): by |μ|
 {{result: mnist_lenet5.conv1Kept90_magnitude}} and by SNR {{result: mnist_lenet5.conv1Kept90_snr}}
 of its {{result: mnist_lenet5.conv1Weights}} weights survive.

 | μ | kept by |μ| | kept by SNR |
 |---|---|---|
 | {{figure: conv1-mean-mnist-lenet5}} | {{figure: conv1-kept-magnitude-mnist-lenet5}} | {{figure: conv1-kept-snr-mnist-lenet5}} |

 ## The L1 route

 The L1 phase is a new objective, so it starts a fresh Adam; the fine-tuning after the cut
 continues the L1 run. On LeNet-5/MNIST the L1 training ran {{result: mnist_lenet5.l1.epochs}} epochs
 (stopped early: {{result: mnist_lenet5.l1.stoppedEarly}}); afterwards {{result: mnist_lenet5.l1.removedBelowThreshold %.3f}}
 of the weights had |μ| < τ (before it: {{result: mnist_lenet5.l1.baseBelowThreshold %.3f}}), and the net without
 them, fine-tuned, reaches {{result: mnist_lenet5.l1.fineTunedAccuracy %.4f}}, as much as the whole L1-trained net on
 the same images ({{result: mnist_lenet5.l1_0 %.4f}}).
 The penalty also makes the remaining weights easier to rank: the L1-trained net pruned by |μ|
 keeps {{result: mnist_lenet5.l1_80 %.3f}} at 80% removed, against {{result: mnist_lenet5.magnitude_80 %.3f}} for the
 base net (it has also trained {{result: mnist_lenet5.l1.epochs}} epochs longer). On LeNet-5/CIFAR-10
 {{result: cifar10_lenet5.l1.removedBelowThreshold %.3f}} go below τ and the fine-tuned net reaches
 {{result: cifar10_lenet5.l1.fineTunedAccuracy %.4f}}. On the under-trained AlexNets the same recipe removes
 {{result: mnist_alexnet.l1.removedBelowThreshold %.3f}} (MNIST) and {{result: cifar10_alexnet.l1.removedBelowThreshold %.3f}}
 (CIFAR-10) of the weights and ends at {{result: mnist_alexnet.l1.fineTunedAccuracy %.4f}} and
 {{result: cifar10_alexnet.l1.fineTunedAccuracy %.4f}} after fine-tuning, from {{result: mnist_alexnet.l1.testAccuracy %.4f}}
 and {{result: cifar10_alexnet.l1.testAccuracy %.4f}} before the cut; the paper's AlexNet+L1 lost 2 points on
 CIFAR-10 against its AlexNet.

 ## Storage and speed

 A dense checkpoint of a pruned net stores μ, ρ and the (float) mask of every weight; the sparse
 layout stores the kept weights' μ and ρ and one bit per weight, and the ratio compares it with
 the unpruned net's dense checkpoint (μ and ρ only). Prediction speed is measured on the same
 dense kernels with the mask applied, on {{result: settings.speedImages}} test images:

{{result: storageTable}}

 The prediction rate shows no consistent change with the fraction removed (the rows scatter by up
 to a quarter, up for some nets and down for others: timing noise): the masked weights are zeros inside
 dense matrices, and every convolution and matrix product still multiplies them. A speed-up needs
 a sparse layout in the kernels themselves (or removing whole filters, which changes the
 architecture — the paper's AlexNetHalf):

{{result: speedTable}}

 AlexNetHalf has a quarter of AlexNet's weights (the convolutions' weights scale with the product
 of input and output widths, both halved), and its training step takes
 {{result: cifar10_alexnet.speed_alexnet-half.stepSeconds %.3f}} s against {{result: cifar10_alexnet.speed_alexnet.stepSeconds %.3f}} s
 on CIFAR-10. In this short budget it is also the more accurate of the two
 ({{result: cifar10_alexnet.half.testAccuracy %.3f}} against {{result: cifar10_alexnet.testAccuracy %.3f}} on CIFAR-10,
 {{result: mnist_alexnet.half.testAccuracy %.3f}} against {{result: mnist_alexnet.testAccuracy %.3f}} on MNIST): fewer
 weights, and a KL term a quarter the size, let it learn faster; the paper, after 100 epochs, also
 found AlexNetHalf ahead on CIFAR-10 (79% against 73%).

 Time: {{result: minutes %.1f}} minutes for this invocation on 2 cores (1-minute load average
 {{result: machineLoad.atStart %.1f}} at the start and {{result: machineLoad.atEnd %.1f}} at the end:
 above 2, other jobs shared the cores and every time and rate here is slower than on an idle machine).
 A rerun resumes every training run from its checkpoints under `.build/checkpoints/chapter5`, so
 an invocation after an interrupted or earlier one takes less than a run from scratch.

 ## What this suite does differently from the paper

 - it compares |μ| with the Bayesian criterion |μ|/σ, which the paper does not use;
 - the L1 penalty is added in the ELBO's per-example scale (λ Σ|μ| / N), with τ stated;
 - removed weights leave the KL term too (they are no longer random variables of the model);
 - the accuracies are test accuracies of the predictive mean over T samples.

 ---
 Sources: K. Shridhar, F. Laumann, M. Liwicki, *A Comprehensive Guide to Bayesian Convolutional
 Neural Network with Variational Inference*, 2019, section 7; C. Blundell, J. Cornebise,
 K. Kavukcuoglu, D. Wierstra, *Weight Uncertainty in Neural Networks*, ICML 2015, section 5.1;
 S. Han, J. Pool, J. Tran, W. Dally, *Learning both Weights and Connections for Efficient Neural
 Networks*, NeurIPS 2015. Run with `make chapter5`.
 */
