/*:
 # Chapter 2 — Three ways to sample a Bayesian layer

 Chapter 1 gave every weight a Gaussian q(w | θ) = N(μ, σ²) and trained μ and ρ (σ = softplus(ρ))
 by minimising the ELBO loss with one Monte Carlo sample per step. *How* that sample is drawn does
 not change the objective, but it changes three things a practitioner cares about: how noisy the
 gradient is, how long a step takes, and so how far a fixed training budget gets. This chapter
 compares the three estimators of this suite on a Bayesian LeNet-5 learning MNIST:

 | estimator | what is sampled per forward pass | noise shared by the minibatch? |
 |---|---|---|
 | Bayes by Backprop (BBB, Blundell et al. 2015) | one weight tensor W = μ + σ ⊙ ε | yes: every example sees the same W |
 | local reparameterization (LRT, Kingma et al. 2015) | each pre-activation b ~ N(A(x; μ), A(x²; σ²)) | no: independent per example and unit |
 | Flipout (Wen et al. 2018) | one perturbation ΔW = σ ⊙ E, sign-flipped per example | decorrelated by random signs |

 Shridhar et al. (2019) build their Bayesian CNN on the local reparameterization trick and
 motivate it by the lower variance of its gradients; here we measure that claim, and what it
 costs. The estimators are written once each: weight sampling and Flipout in
 `Sources/Bayes/VariationalLayer.swift`, local reparameterization in
 `Sources/Bayes/LocalReparameterization.swift`, the KL in `Sources/Bayes/KLDivergence.swift`, the
 ELBO in `Sources/Bayes/ELBO.swift`, the network in `Sources/Models/LeNet5.swift`.
 */
import Foundation
import ArgumentParser
import Engine
import NN
import Bayes
import Datasets
import Models
import Notebook

// weave: hide-start
struct Chapter2Options: ParsableArguments {
    static let configuration = CommandConfiguration(
        abstract: "Chapter 2: BBB vs local reparameterization vs Flipout on Bayesian LeNet-5 / MNIST "
            + "(gradient variance, step time, learning curves, closed-form vs Monte Carlo KL).")
    @OptionGroup var common: ChapterOptions
    @Option(help: "Estimators to compare, comma separated (bbb, lrt, flipout); default all three.")
    var estimators: String = "bbb,lrt,flipout"
    @Option(help: "Training steps per network (the same budget for every network); default: the profile's.")
    var steps: Int?
    @Option(help: "Minibatch size for training, timing and the gradient-variance batch; default: the profile's.")
    var batchSize: Int?
    @Option(help: "Gradient draws per estimator for the variance estimate; default: the profile's.")
    var draws: Int?
    @Option(help: "KL weight β: a number (constant) or blundell, soenderby, standard. Default 1 (the unbiased per-example ELBO).")
    var beta: String = "1"
    @Option(help: "Evaluate validation accuracy every this many steps; default: the profile's.")
    var evaluateEvery: Int?
    @Flag(help: "Only re-weave README.md from the results and figures already in the output folder (no training).")
    var weaveOnly = false
}
let options = Chapter2Options.parseOrExit()
Weaver.weaveOnlyIfAsked(2, options: options.common)
if options.weaveOnly {
    try Weaver.weaveChapter(2, options: options.common)
    exit(0)
}
let clock = Stopwatch()
let outputDirectory = options.common.outputDirectory(chapter: 2)
let profile = options.common.profile
let generator = RandomGenerator(seed: options.common.seed)
let loadAtStart = Machine.loadAverage()

/// How much work a profile does.
struct Budget {
    var trainImages: Int?          // nil: the whole training part
    var validationImages: Int?     // nil: the whole validation part
    var testImages: Int?           // nil: all 10,000
    var steps: Int
    var batchSize: Int
    var evaluateEvery: Int
    var gradientDraws: Int
    var testSamples: Int           // T, Monte Carlo samples of the final test predictive
    var klSampleCounts: [Int]
    var klRepeats: Int
}
let profileBudget: Budget = switch profile {
case .smoke: Budget(trainImages: 2000, validationImages: 500, testImages: 1000, steps: 40, batchSize: 64,
                    evaluateEvery: 20, gradientDraws: 30, testSamples: 4, klSampleCounts: [1, 2, 5, 10], klRepeats: 20)
case .default: Budget(trainImages: nil, validationImages: 3000, testImages: nil, steps: 1500, batchSize: 128,
                      evaluateEvery: 150, gradientDraws: 200, testSamples: 10,
                      klSampleCounts: [1, 2, 5, 10, 20, 50, 100, 200], klRepeats: 50)
case .paper: Budget(trainImages: nil, validationImages: nil, testImages: nil, steps: 20_000, batchSize: 128,
                    evaluateEvery: 500, gradientDraws: 1000, testSamples: 25,
                    klSampleCounts: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000], klRepeats: 100)
}
var budget = profileBudget
if let steps = options.steps { budget.steps = steps }
if let batchSize = options.batchSize { budget.batchSize = batchSize }
if let draws = options.draws { budget.gradientDraws = draws }
if let every = options.evaluateEvery { budget.evaluateEvery = every }
guard let betaSchedule = BetaSchedule(options.beta) else {
    fatalError("chapter 2: --beta \(options.beta) is neither a number nor blundell, soenderby, standard")
}
let estimators: [Estimator] = options.estimators.split(separator: ",").map { name in
    guard let estimator = Estimator(rawValue: name.trimmingCharacters(in: .whitespaces).lowercased()) else {
        fatalError("chapter 2: unknown estimator '\(name)'; use bbb, lrt, flipout")
    }
    return estimator
}
let estimatorNames: [Estimator: String] = [.weightSampling: "BBB", .localReparameterization: "LRT", .flipout: "Flipout"]
var metrics: [String: JSONValue] = [:]
var figures: [Figure] = []
func report(_ line: String) {
    FileHandle.standardError.write(Data((String(format: "[%6.1f s] ", clock.elapsed) + line + "\n").utf8))
}
// weave: hide-end

/*:
 ## Data

 MNIST from the data folder (`--data-dir`, else `$BAYES_DATA`): a seeded tenth of the 60,000
 training images is held out for validation (the learning curves use its first
 {{result: data.validationImages}}), the 10,000 test images are used once at the end.
 Digits are resized once from 28×28 to LeNet-5's 32×32 (bilinear) and scaled to [0, 1].
 */
let location = DataLocation.resolve(explicitDirectory: options.common.dataDir)
let mnist: (train: ImageDataset, test: ImageDataset)
do {
    mnist = (try MNIST.load(split: .train, from: location), try MNIST.load(split: .test, from: location))
} catch {
    fatalError("chapter 2 needs MNIST in \(location): \(error)")
}
let split = mnist.train.validationSplit(fraction: 0.1, seed: options.common.seed)
let resize = ImageTransform.mnistLeNet.geometry
// weave: hide-start
func firstImages(_ dataset: ImageDataset, _ count: Int?) -> ImageDataset {
    guard let count, count < dataset.count else { return dataset }
    return dataset.subset(Array(0..<count))
}
// weave: hide-end
let trainSet = firstImages(split.train, budget.trainImages).applyingGeometry(resize)
let validationSet = firstImages(split.validation, budget.validationImages).applyingGeometry(resize)
let testSet = firstImages(mnist.test, budget.testImages).applyingGeometry(resize)
// weave: hide-start
report("MNIST: \(trainSet.count) training, \(validationSet.count) validation, \(testSet.count) test images from \(location)")
metrics["data"] = ["trainImages": JSONValue(trainSet.count), "validationImages": JSONValue(validationSet.count),
                   "testImages": JSONValue(testSet.count), "steps": JSONValue(budget.steps),
                   "batchSize": JSONValue(budget.batchSize),
                   "epochs": JSONValue(Double(budget.steps * budget.batchSize) / Double(trainSet.count)),
                   "gradientDraws": JSONValue(budget.gradientDraws), "testSamples": JSONValue(budget.testSamples),
                   "beta": .string(betaSchedule.description)]
// weave: hide-end

/*:
 ## The networks

 One LeNet-5 definition (conv 5×5 6 → pool → conv 5×5 16 → pool → FC 120 → FC 84 → FC 10, softplus
 activations) built by a `LayerFactory` either with point weights or with Gaussian posteriors. The
 Bayesian nets use the reference implementation's settings: prior N(0, 0.1²), μ ~ N(0, 0.1²),
 ρ ~ N(−5, 0.1²) (σ ≈ 0.007 at the start), closed-form KL. All three Bayesian nets start from the
 *same* μ and ρ, and every net sees the same minibatches in the same order: only the estimator differs.
 */
func bayesianLeNet(_ estimator: Estimator, generator: RandomGenerator) -> LeNet5 {
    LeNet5(layers: LayerFactory(.bayesian(VariationalSettings(estimator: estimator)), generator: generator))
}
let frequentistLeNet = LeNet5(layers: LayerFactory(.frequentist, generator: generator))
let initialPosterior = bayesianLeNet(.localReparameterization, generator: generator).stateDict
    .reduce(into: [String: Tensor]()) { $0[$1.0] = $1.1.copy() }

/// A Bayesian LeNet-5 with `estimator`, its μ and ρ set to `state`.
func bayesianLeNet(_ estimator: Estimator, state: [String: Tensor], generator: RandomGenerator) -> LeNet5 {
    let net = bayesianLeNet(estimator, generator: generator)
    try! net.load(stateDict: state)
    return net
}

/// The five weight layers of a Bayesian LeNet-5, by name.
func variationalLayers(_ net: LeNet5) -> [(name: String, layer: VariationalLayer)] {
    [("conv1", net.conv1), ("conv2", net.conv2), ("fc1", net.fc1), ("fc2", net.fc2), ("fc3", net.fc3)]
        .map { ($0.0, $0.1 as! VariationalLayer) }
}
let layerNames = ["conv1", "conv2", "fc1", "fc2", "fc3"]

/*:
 ## Training with the same budget

 Every network gets the same number of Adam steps (learning rate 0.001) on the same minibatches.
 The Bayesian nets minimise the per-example ELBO loss with one Monte Carlo sample per step,

     loss = −(1/B) Σ_n log p(y_n | x_n, w) + β · KL(q ‖ p) / N,      w ~ q,

 with B the batch size and N the training-set size (β = 1: the whole KL once per pass over the
 data, `--beta` selects a schedule); the frequentist net minimises the cross-entropy alone. We time
 each step (forward, backward, Adam update; batch preparation excluded) and every few steps
 measure the validation accuracy with one forward pass (one weight sample) per image. At the end
 the test accuracy uses the Monte Carlo predictive: the mean of the softmax over T samples.
 */
struct TrainingRun {
    var steps: [Int] = []
    var validationAccuracy: [Float] = []
    var stepSeconds: [Double] = []
    var testAccuracy: Float = 0
}

func train(_ model: Module, data: ImageDataset, validation: ImageDataset, budget: Budget, beta: BetaSchedule,
           dataOrderSeed: UInt64, label: String) -> TrainingRun {
    let loader = DataLoader(dataset: data, batchSize: budget.batchSize, shuffle: true, dropLast: true,
                            generator: RandomGenerator(seed: dataOrderSeed))
    let optimizer = Adam(parameters: model.parameters, learningRate: 1e-3)
    let isBayesian = !model.bayesianLayers.isEmpty
    let epochs = (budget.steps + loader.batchCount - 1) / loader.batchCount
    var run = TrainingRun()
    var step = 0
    for epoch in 0..<epochs {
        for (index, batch) in loader.epoch().enumerated() {
            if step == budget.steps { break }
            let stopwatch = Stopwatch()
            optimizer.zeroGrad()
            let logits = model(batch.images)
            let nll = crossEntropy(logits: logits, labels: batch.labels)
            let loss = isBayesian
                ? elbo(nll: nll, kl: model.kl,
                       beta: beta.beta(batch: index + 1, batches: loader.batchCount, epoch: epoch, epochs: epochs),
                       datasetSize: data.count).loss
                : nll
            guard loss.item.isFinite else {
                fatalError("chapter 2: \(label) loss became \(loss.item) at step \(step + 1); try a smaller learning rate")
            }
            loss.backward()
            optimizer.step()
            run.stepSeconds.append(stopwatch.elapsed)
            step += 1
            if step % budget.evaluateEvery == 0 || step == budget.steps {
                run.steps.append(step)
                run.validationAccuracy.append(testAccuracy(model, validation, samples: 1))
                report(String(format: "%@ step %ld/%ld: loss %.4f, validation accuracy %.4f", label, step, budget.steps,
                           loss.item, run.validationAccuracy.last!))
            }
        }
    }
    return run
}

/// Accuracy of the Monte Carlo predictive mean (1/T) Σ_t softmax(f(x; w_t)) over a dataset.
func testAccuracy(_ model: Module, _ dataset: ImageDataset, samples: Int, chunk: Int = 500) -> Float {
    var correct: Float = 0
    for start in stride(from: 0, to: dataset.count, by: chunk) {
        let batch = dataset.batch(Array(start..<min(start + chunk, dataset.count)))
        let probabilities = predictiveMean(predict(model, batch.images, samples: samples))
        correct += accuracy(logits: probabilities, labels: batch.labels) * Float(batch.count)
    }
    return correct / Float(dataset.count)
}
// weave: hide-start
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? .nan : sorted.count % 2 == 1 ? sorted[sorted.count / 2]
        : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}
// weave: hide-end

let dataOrderSeed = generator.next()
var runs: [String: TrainingRun] = [:]
var trainedPosteriors: [Estimator: LeNet5] = [:]
for estimator in estimators {
    let net = bayesianLeNet(estimator, state: initialPosterior, generator: generator)
    var run = train(net, data: trainSet, validation: validationSet, budget: budget, beta: betaSchedule,
                    dataOrderSeed: dataOrderSeed, label: estimatorNames[estimator]!)
    run.testAccuracy = testAccuracy(net, testSet, samples: budget.testSamples)
    runs[estimator.rawValue] = run
    trainedPosteriors[estimator] = net
}
var frequentistRun = train(frequentistLeNet, data: trainSet, validation: validationSet, budget: budget,
                           beta: betaSchedule, dataOrderSeed: dataOrderSeed, label: "frequentist")
frequentistRun.testAccuracy = testAccuracy(frequentistLeNet, testSet, samples: 1)
runs["frequentist"] = frequentistRun
// weave: hide-start
let runOrder = estimators.map(\.rawValue) + ["frequentist"]
let runTitles = estimators.map { estimatorNames[$0]! } + ["frequentist"]
var curves = Figure(name: "learning-curves", title: "Validation accuracy, same steps and minibatches for every net",
                    xLabel: "training step (batch \(budget.batchSize))", yLabel: "validation accuracy (%)",
                    width: 760, height: 460)
curves.key = "bottom right"
if profile != .smoke { curves.yRange = 90...100 }
var timeBars: [Double] = []
for (index, name) in runOrder.enumerated() {
    let run = runs[name]!
    curves.line(runTitles[index], x: run.steps, y: run.validationAccuracy.map { 100 * $0 },
                color: Figure.palette[index], lineWidth: index == runOrder.count - 1 ? 2.5 : 2,
                dashed: name == "frequentist")
    let milliseconds = 1000 * median(run.stepSeconds)
    timeBars.append(milliseconds)
    metrics[name] = [
        "testAccuracy": JSONValue(run.testAccuracy),
        "finalValidationAccuracy": JSONValue(run.validationAccuracy.last ?? .nan),
        "curveSteps": JSONValue(run.steps.map(Double.init)),
        "curveValidationAccuracy": JSONValue(run.validationAccuracy),
        "stepMilliseconds": JSONValue(milliseconds),
        "imagesPerSecond": JSONValue(Double(budget.batchSize) / median(run.stepSeconds)),
        "trainingSeconds": JSONValue(run.stepSeconds.reduce(0, +)),
    ]
}
let frequentistMilliseconds = timeBars.last!
for (index, name) in runOrder.enumerated() {
    if case var .object(entry) = metrics[name]! {
        entry["stepTimeRelativeToFrequentist"] = JSONValue(timeBars[index] / frequentistMilliseconds)
        metrics[name] = .object(entry)
    }
}
figures.append(curves)
var timeFigure = Figure(name: "step-time", title: "Time per training step (median), batch \(budget.batchSize), 1 sample",
                        xLabel: nil, yLabel: "milliseconds per step", width: 640, height: 420)
timeFigure.key = nil
timeFigure.yRange = 0...(timeBars.max()! * 1.15)
timeFigure.bars(categories: runTitles, series: [(title: "ms per step", values: timeBars)])
figures.append(timeFigure)
// weave: hide-end

/*:
 {{figure: learning-curves}}

 | network | test accuracy | final validation accuracy | ms per step | × frequentist step |
 |---|---|---|---|---|
 | Bayesian LeNet-5, BBB | {{result: bbb.testAccuracy %.4f}} | {{result: bbb.finalValidationAccuracy %.4f}} | {{result: bbb.stepMilliseconds %.1f}} | {{result: bbb.stepTimeRelativeToFrequentist %.2f}} |
 | Bayesian LeNet-5, LRT | {{result: lrt.testAccuracy %.4f}} | {{result: lrt.finalValidationAccuracy %.4f}} | {{result: lrt.stepMilliseconds %.1f}} | {{result: lrt.stepTimeRelativeToFrequentist %.2f}} |
 | Bayesian LeNet-5, Flipout | {{result: flipout.testAccuracy %.4f}} | {{result: flipout.finalValidationAccuracy %.4f}} | {{result: flipout.stepMilliseconds %.1f}} | {{result: flipout.stepTimeRelativeToFrequentist %.2f}} |
 | frequentist LeNet-5 | {{result: frequentist.testAccuracy %.4f}} | {{result: frequentist.finalValidationAccuracy %.4f}} | {{result: frequentist.stepMilliseconds %.1f}} | 1 |

 Budget: {{result: data.steps}} steps of {{result: data.batchSize}} images ({{result: data.epochs %.1f}}
 passes over {{result: data.trainImages}} training images), β = {{result: data.beta}}; test accuracy with
 T = {{result: data.testSamples}} samples on {{result: data.testImages}} test images.

 {{figure: step-time}}

 What a step costs. A BBB step draws one weight tensor per layer (as many normals as weights) and
 then runs the frequentist forward and backward pass with it, plus the μ, ρ bookkeeping. LRT runs two
 affine maps per layer, one on x with μ and one on x² with σ², and draws one normal per example and
 output unit. Flipout also runs two affine maps (x with μ and the sign-flipped x with ΔW) and draws
 the weight perturbation plus two sign vectors. The timings are medians over all steps of a run on
 a shared machine ({{result: machineLoad.cores}} cores, 1-minute load average {{result: machineLoad.atStart %.1f}} at the
 start and {{result: machineLoad.atEnd %.1f}} at the end of the run: other jobs were competing for the cores), so
 read the ratios rather than the absolute numbers, and expect noise between runs. The whole run took
 {{result: wallTimeMinutes %.1f}} minutes.

 ## Gradient variance: the same minibatch, many noise draws

 Fix the parameters θ and one minibatch of {{result: data.batchSize}} images. The loss is then a
 random variable only through the estimator's noise ε, and so is its gradient. We draw the
 gradient {{result: data.gradientDraws}} times per estimator (fresh ε each time, `.sample` mode),
 and for every layer report the variance of ∂loss/∂μ across draws, averaged over the layer's
 weights. The closed-form KL is deterministic, so all of this variance comes from the data term.
 */
func gradientVariance(_ net: LeNet5, draws: Int, datasetSize: Int,
                      batch: (_ draw: Int) -> Batch) -> (variance: [Double], signal: [Double]) {
    let layers = variationalLayers(net).map(\.layer)
    var sums = layers.map { [Double](repeating: 0, count: $0.weight.mean.count) }
    var squares = sums
    for draw in 0..<draws {
        net.zeroGrad()
        let batch = batch(draw)
        let loss = elbo(nll: crossEntropy(logits: net(batch.images), labels: batch.labels), kl: net.kl,
                        beta: 1, datasetSize: datasetSize).loss
        loss.backward()
        for (l, layer) in layers.enumerated() {
            let gradient = layer.weight.mean.grad!.data
            for i in sums[l].indices {
                let g = Double(gradient[i])
                sums[l][i] += g
                squares[l][i] += g * g
            }
        }
    }
    // Unbiased per-weight variance  (Σ g² − (Σ g)²/D) / (D − 1), then its mean over the layer;
    // the "signal" is the mean squared average gradient, for scale.
    let d = Double(draws)
    var variance: [Double] = [], signal: [Double] = []
    for (sum, square) in zip(sums, squares) {
        var totalVariance = 0.0, totalSignal = 0.0
        for i in sum.indices {
            let average = sum[i] / d
            totalVariance += (square[i] - sum[i] * average) / (d - 1)
            totalSignal += average * average
        }
        variance.append(totalVariance / Double(sum.count))
        signal.append(totalSignal / Double(sum.count))
    }
    return (variance, signal)
}

let varianceBatch = trainSet.batch(Array(RandomGenerator(seed: dataOrderSeed ^ 0x5eed).permutation(trainSet.count)
    .prefix(budget.batchSize)))
let referenceEstimator: Estimator = estimators.contains(.localReparameterization) ? .localReparameterization : estimators[0]
let trainedPosterior = trainedPosteriors[referenceEstimator]!.stateDict.reduce(into: [String: Tensor]()) { $0[$1.0] = $1.1 }
/*:
 We do this at two points: at the initial posterior (σ ≈ 0.007 everywhere) and at the posterior
 trained above with {{result: gradientVariance.trainedWith}} — the same θ for every estimator, loaded
 into a network with each estimator in turn.
 */
var variances: [String: [String: [Double]]] = [:]
for (point, state) in [("initial", initialPosterior), ("trained", trainedPosterior)] {
    for estimator in estimators {
        let net = bayesianLeNet(estimator, state: state, generator: generator)
        net.setSampling(.sample)
        let result = gradientVariance(net, draws: budget.gradientDraws, datasetSize: trainSet.count) { _ in varianceBatch }
        variances[point, default: [:]][estimator.rawValue] = result.variance
        variances[point, default: [:]][estimator.rawValue + "Signal"] = result.signal
        report("gradient variance at the \(point) posterior, \(estimatorNames[estimator]!): "
            + result.variance.map { String(format: "%.2e", $0) }.joined(separator: " "))
    }
}
/*:
 For scale, the other source of gradient noise: the choice of minibatch. At the same trained θ, with
 the noise switched off (`.mean`: every weight at μ), we draw {{result: data.gradientDraws}} random
 minibatches of the same size and measure the variance of ∂loss/∂μ across them.
 */
let minibatchGenerator = RandomGenerator(seed: dataOrderSeed ^ 0xba7c4)
let atMean = bayesianLeNet(referenceEstimator, state: trainedPosterior, generator: generator)
atMean.setSampling(.mean)
let minibatchNoise = gradientVariance(atMean, draws: budget.gradientDraws, datasetSize: trainSet.count) { _ in
    trainSet.batch(Array(minibatchGenerator.permutation(trainSet.count).prefix(budget.batchSize)))
}
// weave: hide-start
report("gradient variance across minibatches at μ: " + minibatchNoise.variance.map { String(format: "%.2e", $0) }.joined(separator: " "))
var varianceMetrics: [String: JSONValue] = ["trainedWith": .string(estimatorNames[referenceEstimator]!)]
varianceMetrics["minibatch"] = .object(Dictionary(uniqueKeysWithValues: zip(layerNames, minibatchNoise.variance.map { JSONValue($0) })))
/// Mean posterior σ of each layer's weights for a state dictionary.
func meanSigma(_ state: [String: Tensor]) -> [String: JSONValue] {
    Dictionary(uniqueKeysWithValues: layerNames.map { name in
        let rho = state[name + ".weight.rho"]!
        let total = (0..<rho.count).reduce(0.0) { $0 + Double(softplus(rho.data[$1])) }
        return (name, JSONValue(total / Double(rho.count)))
    })
}
varianceMetrics["initialSigma"] = .object(meanSigma(initialPosterior))
for (name, values) in [("minibatchOverBbb", variances["trained"]!["bbb"]), ("minibatchOverLrt", variances["trained"]!["lrt"])] {
    guard let values else { continue }
    varianceMetrics[name] = .object(Dictionary(uniqueKeysWithValues: zip(layerNames, zip(minibatchNoise.variance, values).map { JSONValue($0 / $1) })))
}
varianceMetrics["trainedSigma"] = .object(meanSigma(trainedPosterior))
for point in ["initial", "trained"] {
    var pointMetrics: [String: JSONValue] = [:]
    for estimator in estimators {
        let values = variances[point]![estimator.rawValue]!
        let signal = variances[point]![estimator.rawValue + "Signal"]!
        pointMetrics[estimator.rawValue] = .object(Dictionary(uniqueKeysWithValues: zip(layerNames, values.map { JSONValue($0) })))
        pointMetrics[estimator.rawValue + "Signal"] = .object(Dictionary(uniqueKeysWithValues: zip(layerNames, signal.map { JSONValue($0) })))
    }
    // Ratios BBB / other estimator per layer, for the prose.
    if let bbb = variances[point]!["bbb"] {
        for other in ["lrt", "flipout"] {
            guard let values = variances[point]![other] else { continue }
            pointMetrics[other == "lrt" ? "bbbOverLrt" : "bbbOverFlipout"] =
                .object(Dictionary(uniqueKeysWithValues: zip(layerNames, zip(bbb, values).map { JSONValue($0 / $1) })))
        }
    }
    varianceMetrics[point] = .object(pointMetrics)
    var figure = Figure(name: point == "trained" ? "gradient-variance" : "gradient-variance-initial",
                        title: "Variance of ∂loss/∂μ over \(budget.gradientDraws) noise draws, one batch of \(budget.batchSize)"
                            + (point == "trained" ? " (trained posterior)" : " (initial posterior)"),
                        xLabel: "layer", yLabel: "mean per-weight variance (log scale)", width: 760, height: 460)
    figure.yScale = .log(base: 10)
    figure.raw("set format y '10^{%L}'")
    var groups = estimators.map { (title: estimatorNames[$0]!, values: variances[point]![$0.rawValue]!) }
    if point == "trained" { groups.append((title: "minibatch choice, no weight noise", values: minibatchNoise.variance)) }
    let all = groups.flatMap(\.values).filter { $0 > 0 }
    figure.yRange = Foundation.pow(10, Foundation.floor(Foundation.log10(all.min()!)) - 0.5)
        ... Foundation.pow(10, Foundation.ceil(Foundation.log10(all.max()!)) + 0.5)
    figure.key = "top left"
    figure.bars(categories: layerNames, series: groups,
                colors: Array(Figure.palette.prefix(estimators.count)) + ["#7f7f7f"])
    figures.append(figure)
}
metrics["gradientVariance"] = .object(varianceMetrics)
// weave: hide-end

/*:
 {{figure: gradient-variance-initial}}

 At the initial posterior, BBB's gradient variance is, layer by layer (conv1, conv2, fc1, fc2, fc3),
 {{result: gradientVariance.initial.bbbOverLrt.conv1 %.1f}}×, {{result: gradientVariance.initial.bbbOverLrt.conv2 %.0f}}×,
 {{result: gradientVariance.initial.bbbOverLrt.fc1 %.0f}}×, {{result: gradientVariance.initial.bbbOverLrt.fc2 %.0f}}× and
 {{result: gradientVariance.initial.bbbOverLrt.fc3 %.0f}}× that of local reparameterization, and
 {{result: gradientVariance.initial.bbbOverFlipout.conv1 %.1f}}×, {{result: gradientVariance.initial.bbbOverFlipout.conv2 %.0f}}×,
 {{result: gradientVariance.initial.bbbOverFlipout.fc1 %.0f}}×, {{result: gradientVariance.initial.bbbOverFlipout.fc2 %.0f}}× and
 {{result: gradientVariance.initial.bbbOverFlipout.fc3 %.0f}}× that of Flipout.

 Why. The minibatch gradient is an average of B per-example gradients. With BBB all B examples are
 computed with the *same* weight sample, so their noise terms are perfectly correlated and averaging
 over the batch removes none of it: the noise of the average is as large as the noise of one
 example's gradient. With local reparameterization every example (and every output unit, and in a
 convolution every position) draws its own noise; the B noise terms are independent and the
 variance of their average falls as 1/B — here B = {{result: data.batchSize}}; the fully connected
 layers gain a factor of the same order. Flipout keeps one shared perturbation ΔW but multiplies it
 by independent random signs per example, which makes the examples' noise terms uncorrelated (not
 independent, but uncorrelated is all the variance of a sum cares about), so it too averages out,
 somewhat less well than LRT here. The first convolution gains least; we have not isolated why.

 The same measurement at the trained posterior, with one more group of bars for comparison: the
 variance that comes from the *choice of minibatch* (random batches, weights at μ, no weight noise):

 {{figure: gradient-variance}}

 After training the gap is much smaller: BBB over LRT {{result: gradientVariance.trained.bbbOverLrt.conv1 %.1f}}×,
 {{result: gradientVariance.trained.bbbOverLrt.conv2 %.1f}}×, {{result: gradientVariance.trained.bbbOverLrt.fc1 %.1f}}×,
 {{result: gradientVariance.trained.bbbOverLrt.fc2 %.1f}}×, {{result: gradientVariance.trained.bbbOverLrt.fc3 %.1f}}×;
 BBB over Flipout {{result: gradientVariance.trained.bbbOverFlipout.conv1 %.1f}}× to
 {{result: gradientVariance.trained.bbbOverFlipout.fc3 %.1f}}× (conv1 to fc3).

 Where the gap went. If K examples carry noise, perfectly correlated noise (BBB) gives their sum a
 variance growing as K², independent noise (LRT) as K: the ratio is about K. At the start the
 network is unsure of every image, so all B examples contribute and K ≈ B. A trained network
 classifies most of the batch confidently; their cross-entropy gradients are nearly zero whatever
 the noise, and the gradient is carried by the few images it is still unsure of: K is small, and so
 is the gain. The absolute numbers fit that reading. The KL term has pulled σ up towards the prior's
 0.1 (mean σ of fc1: {{result: gradientVariance.initialSigma.fc1 %.4f}} at the start,
 {{result: gradientVariance.trainedSigma.fc1 %.4f}} after training), so each contributing example is noisier, and
 LRT's fc1 variance rose from {{result: gradientVariance.initial.lrt.fc1 %.1e}} to {{result: gradientVariance.trained.lrt.fc1 %.1e}};
 BBB's fell from {{result: gradientVariance.initial.bbb.fc1 %.1e}} to {{result: gradientVariance.trained.bbb.fc1 %.1e}}, because
 far fewer examples now add their noise coherently. (This is our reading of the numbers; the
 chapter does not isolate the effects.)

 The grey bars put the estimator noise in proportion. At the trained posterior the choice of
 minibatch is the larger source of gradient noise in every layer: in fc1 its variance is
 {{result: gradientVariance.minibatchOverBbb.fc1 %.1f}}× BBB's weight-noise variance and
 {{result: gradientVariance.minibatchOverLrt.fc1 %.1f}}× LRT's.

 The variance of a gradient estimator bounds how large a step an optimiser can take and how many
 steps training needs; that is why Shridhar et al. build on the local reparameterization trick. In
 this run, with Adam and the budget above, the learning curves of the three estimators stay close
 together (test accuracy {{result: bbb.testAccuracy %.4f}} BBB, {{result: lrt.testAccuracy %.4f}} LRT,
 {{result: flipout.testAccuracy %.4f}} Flipout; frequentist {{result: frequentist.testAccuracy %.4f}}): the lower
 variance is real, but in a LeNet-5 on MNIST, where the minibatch noise dominates at the trained
 posterior, it is not what limits a few epochs of training. The Bayesian nets trail the
 frequentist one by about half a point at this budget; chapter 3 trains longer.

 ## Closed-form vs Monte Carlo KL

 Blundell et al. estimate the KL term by Monte Carlo, log q(w) − log p(w) at a weight sample,
 because their scale-mixture prior has no closed form. With the Gaussian prior of Shridhar et al.
 the closed form is available (`gaussianKL` in `Sources/Bayes/KLDivergence.swift`). How far off is
 a Monte Carlo estimate with S samples? For the first fully connected layer of the trained network
 (400 × 120 weights) we draw the S-sample estimate {{result: kl.repeats}} times for each S.
 */
let klLayer = variationalLayers(trainedPosteriors[referenceEstimator]!)[2].layer
let (klPrior, klSamples) = (klLayer.prior, budget.klSampleCounts)
guard case let .gaussian(priorMean, priorSigma) = klPrior else { fatalError("chapter 2 expects a Gaussian prior") }
let (closedFormKL, monteCarloEstimates): (Float, [[Float]]) = withoutGradient {
    let (mu, sigma) = (klLayer.weight.mean, klLayer.weight.sigma)
    let exact = gaussianKL(posteriorMean: mu, posteriorSigma: sigma, priorMean: priorMean, priorSigma: priorSigma).item
    // A pool of independent one-sample estimates; the S-sample estimates are means of disjoint groups of S.
    let pool = (0..<(budget.klRepeats * klSamples.max()!)).map { _ in
        monteCarloKL(sample: klLayer.weight.sample(noise: .randomNormal(mu.shape, generator: generator)),
                     posteriorMean: mu, posteriorSigma: sigma, prior: klPrior).item
    }
    let estimates = klSamples.map { s in
        (0..<budget.klRepeats).map { r in pool[(r * s)..<((r + 1) * s)].reduce(0, +) / Float(s) }
    }
    return (exact, estimates)
}
// weave: hide-start
func meanAndDeviation(_ values: [Float]) -> (mean: Double, sd: Double) {
    let mean = values.map(Double.init).reduce(0, +) / Double(values.count)
    let variance = values.map { (Double($0) - mean) * (Double($0) - mean) }.reduce(0, +) / Double(max(values.count - 1, 1))
    return (mean, variance.squareRoot())
}
let klSummaries = monteCarloEstimates.map(meanAndDeviation)
var klMetrics: [String: JSONValue] = [
    "closedForm": JSONValue(closedFormKL), "repeats": JSONValue(budget.klRepeats), "weights": JSONValue(klLayer.weight.mean.count),
    "sampleCounts": JSONValue(klSamples.map(Double.init)),
    "monteCarloMean": JSONValue(klSummaries.map(\.mean)), "monteCarloSD": JSONValue(klSummaries.map(\.sd)),
]
for (s, summary) in zip(klSamples, klSummaries) {
    klMetrics["S\(s)"] = ["mean": JSONValue(summary.mean), "sd": JSONValue(summary.sd),
                          "relativeSD": JSONValue(summary.sd / Double(closedFormKL))]
}
klMetrics["oneSampleRelativeSD"] = JSONValue(klSummaries[0].sd / Double(closedFormKL))
metrics["kl"] = .object(klMetrics)
var klFigure = Figure(name: "kl-monte-carlo", title: "KL(q ‖ p) of the trained fc1 layer: closed form vs S-sample Monte Carlo",
                      xLabel: "Monte Carlo samples S (log scale)", yLabel: "KL (nats)", width: 760, height: 460)
klFigure.xScale = .log(base: 10)
klFigure.xRange = 0.7...(Double(klSamples.max()!) * 1.4)
klFigure.line("closed form", x: [0.7, Double(klSamples.max()!) * 1.4], y: [Double(closedFormKL), Double(closedFormKL)],
              color: "#404040", lineWidth: 1.5, dashed: true)
klFigure.errorBars("Monte Carlo: mean ± sd over \(budget.klRepeats) estimates", x: klSamples,
                   y: klSummaries.map(\.mean), error: klSummaries.map(\.sd), color: Figure.palette[3])
figures.append(klFigure)
// weave: hide-end

/*:
 {{figure: kl-monte-carlo}}

 The closed form gives {{result: kl.closedForm %.1f}} nats for the layer's {{result: kl.weights}} weights.
 One Monte Carlo sample is unbiased ({{result: kl.S1.mean %.1f}} on average) but scatters with a standard
 deviation of {{result: kl.S1.sd %.1f}} nats ({{result: kl.oneSampleRelativeSD %.4f}} of the value); the spread falls
 as 1/√S, to {{result: kl.S10.sd %.1f}} with 10 samples. A layer's KL is a sum over thousands of
 independent weights, so even one sample is accurate in relative terms — but the noise it adds goes
 straight into the gradient of every μ and ρ, on top of the estimator noise measured above, while the
 closed form is exact, cheaper (no sampling, no log-densities), and noise-free. Wherever the prior
 allows it, this suite uses the closed form; the Monte Carlo path remains for the scale-mixture prior.
 */
// weave: hide-start
try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
for figure in figures { _ = try figure.write(to: outputDirectory) }
metrics["machineLoad"] = ["atStart": JSONValue(loadAtStart), "atEnd": JSONValue(Machine.loadAverage()),
                          "cores": JSONValue(ProcessInfo.processInfo.activeProcessorCount)]
metrics["wallTimeMinutes"] = JSONValue(clock.elapsed / 60)
let results = Results(chapter: 2, profile: profile.rawValue, seed: options.common.seed,
                      epochs: Int((Double(budget.steps * budget.batchSize) / Double(trainSet.count)).rounded(.up)),
                      wallTimeSeconds: clock.elapsed, metrics: metrics)
try results.write(to: outputDirectory.appendingPathComponent("results.json"))
print(String(format: "chapter 2 (%@ profile): %ld steps per net, wall time %.1f s", profile.rawValue, budget.steps, clock.elapsed))
print("network        test acc   ms/step")
for (index, name) in runOrder.enumerated() {
    let title = runTitles[index].padding(toLength: 13, withPad: " ", startingAt: 0)
    print(title + String(format: "  %.4f   %7.1f", runs[name]!.testAccuracy, timeBars[index]))
}
// A smoke run is a check, not a page; a page needs every estimator's numbers.
if profile != .smoke && estimators.count == 3 { try Weaver.weaveChapter(2, options: options.common) }
// weave: hide-end
/*:
 ---
 Sources: C. Blundell, J. Cornebise, K. Kavukcuoglu, D. Wierstra, *Weight Uncertainty in Neural Networks*,
 ICML 2015; D. P. Kingma, T. Salimans, M. Welling, *Variational Dropout and the Local Reparameterization
 Trick*, NeurIPS 2015; Y. Wen, P. Vicol, J. Ba, D. Tran, R. Grosse, *Flipout: Efficient Pseudo-Independent
 Weight Perturbations on Mini-Batches*, ICLR 2018; K. Shridhar, F. Laumann, M. Liwicki, *A Comprehensive
 Guide to Bayesian Convolutional Neural Network with Variational Inference*, 2019. Run with `make chapter2`.
 */
