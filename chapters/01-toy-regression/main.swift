/*:
 # Chapter 1 — Weights as distributions

 A frequentist network learns one number per weight. A Bayesian network learns a *distribution*
 per weight: here a Gaussian q(w | θ) = N(μ, σ²) with σ = softplus(ρ), so every weight has a
 best guess μ and an uncertainty σ. A prediction is then not one curve but a whole family of
 curves, one per draw of the weights, and where the family fans out the network says "I don't know".

 This chapter reproduces the classic 1-D demonstration of Bayes by Backprop (Blundell et al.
 2015) in the form of a widely read PyTorch tutorial: six points of y = −x⁴ + 3x² + 1, a
 network with one hidden layer of 32 sigmoid units, and a posterior predictive that is narrow
 near the data and wide away from it. Everything below runs on the engine of this suite; the
 formulas it uses live in one place each: the KL term in `Sources/Bayes/KLDivergence.swift`,
 the ELBO in `Sources/Bayes/ELBO.swift`, the estimators in `Sources/Bayes/VariationalLayer.swift`.
 */
import Foundation
import ArgumentParser
import Engine
import NN
import Bayes
import Notebook

// weave: hide-start
struct Chapter1Options: ParsableArguments {
    static let configuration = CommandConfiguration(
        abstract: "Chapter 1: Bayes by Backprop on a 1-D regression (predictive mean and 95% band).")
    @OptionGroup var common: ChapterOptions
    @Option(help: "Training epochs (full-batch steps); default: the profile's (2000 as in the source, 300 for smoke).")
    var epochs: Int?
    @Option(help: "Posterior predictive samples; default: the profile's (100 as in the source).")
    var samples: Int?
}
let options = Chapter1Options.parseOrExit()
Weaver.weaveOnlyIfAsked(1, options: options.common)
let clock = Stopwatch()
let outputDirectory = options.common.outputDirectory(chapter: 1)
let profile = options.common.profile
// weave: hide-end

/*:
 ## The recipe

 | | |
 |---|---|
 | data | x ∈ {−2, −1.8, −1, 1, 1.8, 2}, y = −x⁴ + 3x² + 1, no noise added |
 | network | 1 → 32 sigmoid → 1, every weight and bias Gaussian |
 | prior | N(0, 10²) on every weight |
 | likelihood | y ~ N(f(x), 0.1²) |
 | posterior start | μ = 0, ρ = 0 (σ = softplus(0) ≈ 0.69) |
 | optimiser | Adam, learning rate 0.1, full batch |
 | Monte Carlo | one weight sample per step; log q(w) and log p(w) evaluated at that sample |

 One detail of the source deserves a remark: its constructor argument is called `prior_var`, but
 it is passed to `Normal(0, prior_var)` as the *standard deviation*. We follow the source, so the
 prior is N(0, 10²), not N(0, 10).
 */
let trainingX: [Float] = [-2, -1.8, -1, 1, 1.8, 2]
func truth(_ x: Float) -> Float { -x * x * x * x + 3 * x * x + 1 }

let epochs = options.epochs ?? (profile == .smoke ? 300 : 2000)
let predictiveSamples = options.samples ?? (profile == .smoke ? 30 : 100)
let noiseSigma: Float = 0.1
let learningRate: Float = 0.1
let sourcePrior = Prior.gaussian(mean: 0, sigma: 10)
let generator = RandomGenerator(seed: options.common.seed)

/*:
 ## The network

 `BayesLinear` holds μ and ρ for its weights and bias. The estimator says how a forward pass turns
 them into outputs; the source uses plain weight sampling ("Bayes by Backprop", `.weightSampling`):
 W = μ + σ ⊙ ε with ε ~ N(0, 1), one draw per forward pass. Its KL term is estimated at that draw,
 log q(W) − log p(W), exactly as the source computes `log_post − log_prior`.
 */
func bayesianNet(prior: Prior = sourcePrior, estimator: Estimator = .weightSampling,
                 generator: RandomGenerator) -> Sequential {
    let start = PosteriorInitialization(meanMean: 0, meanStd: 0, rhoMean: 0, rhoStd: 0)
    func layer(_ inputs: Int, _ outputs: Int) -> BayesLinear {
        BayesLinear(inputs, outputs, prior: prior, estimator: estimator, klMethod: .monteCarlo,
                    initialization: start, generator: generator)
    }
    return Sequential(layer(1, 32), Sigmoid(), layer(32, 1))
}

/*:
 ## Training: the ELBO

 Variational inference maximises the evidence lower bound, or minimises its negative,

     loss(θ) = −Σ_n log N(y_n; f_w(x_n), 0.1²)  +  KL(q(w|θ) ‖ p(w)),   w ~ q(w|θ),

 a data-fit term and a complexity cost. The first pulls the curves through the points; the
 second pulls every weight's distribution back towards the broad prior, so weights the data
 do not pin down stay uncertain. With the data set as one batch the KL is paid in full every
 step (β = 1), and `elbo(…, scaling: .reference)` gives exactly the source's sum N·mean NLL + KL.
 */
struct TrainingCurve { var loss: [Float] = [], nll: [Float] = [], kl: [Float] = [] }

func train(_ model: Module, x: [Float], epochs: Int) -> TrainingCurve {
    let inputs = Tensor(shape: [x.count, 1], values: x)
    let targets = Tensor(shape: [x.count], values: x.map(truth))
    let optimizer = Adam(parameters: model.parameters, learningRate: learningRate)
    var curve = TrainingCurve()
    for epoch in 0..<epochs {
        optimizer.zeroGrad()
        let prediction = model(inputs).reshaped([1, x.count])          // one Monte Carlo sample: S = 1
        let nll = monteCarloGaussianNLL(predictions: prediction, targets: targets, noiseSigma: noiseSigma)
        let objective = elbo(nll: nll, kl: model.kl, beta: 1, datasetSize: x.count, scaling: .reference)
        guard objective.loss.item.isFinite else {
            fatalError("chapter 1: the loss became \(objective.loss.item) at epoch \(epoch + 1); try a smaller learning rate")
        }
        objective.loss.backward()
        optimizer.step()
        curve.loss.append(objective.loss.item)
        curve.nll.append(objective.nll * Float(x.count))
        curve.kl.append(objective.kl)
    }
    return curve
}

/*:
 ## The posterior predictive

 After training, each forward pass draws fresh weights, i.e. one plausible function. A hundred
 passes over a grid on [−5, 5] give a hundred functions; their mean is the prediction and their
 2.5th and 97.5th percentiles at each x bound a 95% band.
 */
struct Predictive { var grid: [Float], mean: [Float], lower: [Float], upper: [Float] }

func posteriorPredictive(_ model: Module, samples: Int) -> Predictive {
    let grid = (0..<100).map { -5 + 10 * Float($0) / 99 }
    let inputs = Tensor(shape: [grid.count, 1], values: grid)
    let draws: [[Float]] = withoutGradient { (0..<samples).map { _ in model(inputs).array } }
    var result = Predictive(grid: grid, mean: [], lower: [], upper: [])
    for i in grid.indices {
        let column = draws.map { $0[i] }.sorted()
        result.mean.append(column.reduce(0, +) / Float(samples))
        result.lower.append(percentile(column, 2.5))
        result.upper.append(percentile(column, 97.5))
    }
    return result
}

/// The q-th percentile of sorted values, interpolating linearly between ranks (NumPy's default).
func percentile(_ sorted: [Float], _ q: Float) -> Float {
    let rank = q / 100 * Float(sorted.count - 1)
    let (low, high) = (Int(rank.rounded(.down)), Int(rank.rounded(.up)))
    return sorted[low] + (sorted[high] - sorted[low]) * (rank - Float(low))
}

// weave: hide-start
/// Band width and fit at the training inputs and at x = ±4, read off the grid's nearest points.
func summary(_ p: Predictive, curve: TrainingCurve?) -> [String: JSONValue] {
    func nearest(_ x: Float) -> Int { p.grid.indices.min { Swift.abs(p.grid[$0] - x) < Swift.abs(p.grid[$1] - x) }! }
    let width = { (i: Int) in p.upper[i] - p.lower[i] }
    let trainingIndices = trainingX.map(nearest)
    var metrics: [String: JSONValue] = [
        "meanAbsErrorAtTrainingX": JSONValue(zip(trainingIndices, trainingX).map { Swift.abs(p.mean[$0] - truth($1)) }.reduce(0, +) / Float(trainingX.count)),
        "maxBandWidthAtTrainingX": JSONValue(trainingIndices.map(width).max()!),
        "bandWidthAtMinus4": JSONValue(width(nearest(-4))),
        "bandWidthAtPlus4": JSONValue(width(nearest(4))),
        "bandWidthAtZero": JSONValue(width(nearest(0))),
    ]
    if let curve, curve.loss.count >= 100 {
        func average(_ v: ArraySlice<Float>) -> Float { v.reduce(0, +) / Float(v.count) }
        metrics["lossFirst50"] = JSONValue(average(curve.loss.prefix(50)))
        metrics["lossLast50"] = JSONValue(average(curve.loss.suffix(50)))
        metrics["klLast50"] = JSONValue(average(curve.kl.suffix(50)))
    }
    return metrics
}

/// "0p1", "1", "10": a prior σ as a name that is safe in file names and result paths.
func priorLabel(_ sigma: Float) -> String {
    sigma == sigma.rounded() ? "\(Int(sigma))" : "\(sigma)".replacingOccurrences(of: ".", with: "p")
}

func bandFigure(_ name: String, title: String, _ p: Predictive, data: [Float] = trainingX) -> Figure {
    var figure = Figure(name: name, title: title, xLabel: "x", yLabel: "y", width: 700, height: 450)
    figure.yRange = -40...15
    figure.key = "bottom center"
    figure.band("95% predictive band", x: p.grid, lower: p.lower, upper: p.upper, color: Figure.palette[0])
    figure.line("predictive mean", x: p.grid, y: p.mean, color: Figure.palette[0])
    figure.line("truth −x⁴ + 3x² + 1", x: p.grid, y: p.grid.map(truth), color: "#404040", lineWidth: 1, dashed: true)
    figure.points("training points", x: data, y: data.map(truth), color: Figure.palette[3], size: 1.2)
    return figure
}
var metrics: [String: JSONValue] = [:]
var figures: [Figure] = []
// weave: hide-end

/*:
 ## Bayes by Backprop, as in the source
 */
let model = bayesianNet(generator: generator)
let curve = train(model, x: trainingX, epochs: epochs)
let predictive = posteriorPredictive(model, samples: predictiveSamples)
// weave: hide-start
metrics["bbb"] = .object(summary(predictive, curve: curve))
figures.append(bandFigure("regression-bbb", title: "Bayes by Backprop: \(predictiveSamples) posterior samples", predictive))
var lossFigure = Figure(name: "loss", title: "ELBO loss during training (one Monte Carlo sample per step)",
                        xLabel: "epoch (log scale)", yLabel: "nats", width: 700, height: 450)
lossFigure.xScale = .log(base: 10)
let lateValues = (curve.loss + curve.nll + curve.kl).filter(\.isFinite)
lossFigure.yRange = Double(lateValues.min()! - 20)...Double(curve.loss.dropFirst(10).max() ?? 1000)
let epochAxis = (1...curve.loss.count).map(Float.init)
lossFigure.line("loss = NLL + KL", x: epochAxis, y: curve.loss)
lossFigure.line("NLL = −log-likelihood (sum over the 6 points)", x: epochAxis, y: curve.nll, lineWidth: 1)
lossFigure.line("KL ≈ log q(w) − log p(w)", x: epochAxis, y: curve.kl, lineWidth: 1)
figures.append(lossFigure)
// weave: hide-end

/*:
 {{figure: regression-bbb}}

 Over the six training inputs the mean is on average {{result: bbb.meanAbsErrorAtTrainingX %.2f}}
 away from the truth and the band is at most {{result: bbb.maxBandWidthAtTrainingX %.2f}} wide;
 at x = −4 and x = 4, far from any data, it is {{result: bbb.bandWidthAtMinus4 %.1f}} and
 {{result: bbb.bandWidthAtPlus4 %.1f}} wide. Nothing in the data says what happens out there,
 so the weights that shape the curve there stay close to the wide prior, and the sampled
 functions disagree. That is the behaviour a point estimate cannot show.

 The loss falls from {{result: bbb.lossFirst50 %.0f}} (mean of the first 50 steps) to
 {{result: bbb.lossLast50 %.1f}} (last 50). It stays noisy because every step uses a single
 weight sample, and the KL part (last 50 steps: {{result: bbb.klLast50 %.1f}} nats) is itself a
 one-sample Monte Carlo estimate:

 {{figure: loss}}

 ## Three estimators and a point estimate

 The same network with the other two estimators of this suite, and a frequentist network of the
 same shape trained on the same loss without the KL term (plain least squares):

 - local reparameterization samples each unit's pre-activation instead of the weights;
 - Flipout samples one weight perturbation and decorrelates it across examples by random signs;
 - the frequentist net has no distribution, so it draws one curve with no band at all.
 */
let estimatorsCompared: [Estimator] = [.localReparameterization, .flipout]
for estimator in estimatorsCompared {
    let variant = bayesianNet(estimator: estimator, generator: generator)
    let variantCurve = train(variant, x: trainingX, epochs: epochs)
    let variantPredictive = posteriorPredictive(variant, samples: predictiveSamples)
    // weave: hide-start
    metrics["\(estimator)"] = .object(summary(variantPredictive, curve: variantCurve))
    figures.append(bandFigure("regression-\(estimator)", title: "\(estimator == .flipout ? "Flipout" : "Local reparameterization")", variantPredictive))
    // weave: hide-end
}

let pointEstimate = Sequential(Linear(1, 32, generator: generator), Sigmoid(), Linear(32, 1, generator: generator))
let pointOptimizer = Adam(parameters: pointEstimate.parameters, learningRate: learningRate)
let pointInputs = Tensor(shape: [trainingX.count, 1], values: trainingX)
let pointTargets = Tensor(shape: [trainingX.count, 1], values: trainingX.map(truth))
for _ in 0..<epochs {
    pointOptimizer.zeroGrad()
    let loss = mse(pointEstimate(pointInputs), pointTargets)
    loss.backward()
    pointOptimizer.step()
}
let pointCurve = posteriorPredictive(pointEstimate, samples: 1)
// weave: hide-start
metrics["frequentist"] = .object(summary(pointCurve, curve: nil))
figures.append(bandFigure("regression-frequentist", title: "Frequentist network: one curve, no band", pointCurve))
// weave: hide-end

/*:
 | local reparameterization | Flipout | frequentist |
 |---|---|---|
 | {{figure: regression-lrt}} | {{figure: regression-flipout}} | {{figure: regression-frequentist}} |

 Local reparameterization: band at x = ±4 {{result: lrt.bandWidthAtMinus4 %.1f}} / {{result: lrt.bandWidthAtPlus4 %.1f}},
 error at the data {{result: lrt.meanAbsErrorAtTrainingX %.2f}}. Flipout: {{result: flipout.bandWidthAtMinus4 %.1f}} /
 {{result: flipout.bandWidthAtPlus4 %.1f}}, error {{result: flipout.meanAbsErrorAtTrainingX %.2f}}. The frequentist
 net fits the points (error {{result: frequentist.meanAbsErrorAtTrainingX %.2f}}) and extrapolates with confidence
 it has not earned. With local reparameterization each grid point gets its own noise, so a
 "sample" is no longer one coherent function, but the band, a per-x quantity, means the same.

 ## What the band depends on

 Two knobs move the band: how strongly the prior holds the weights (its σ), and how much data
 pulls against it. A tight prior keeps every weight near 0 and σ small, so the functions agree
 everywhere — and fit the data poorly; a loose one lets the data decide and leaves the rest wide
 open. More training points in the same region narrow the band there and leave it wide beyond.
 */
let priorSigmas: [Float] = profile == .smoke ? [1] : [0.1, 1, 10]
for priorSigma in priorSigmas {
    let variant = bayesianNet(prior: .gaussian(mean: 0, sigma: priorSigma), generator: generator)
    _ = train(variant, x: trainingX, epochs: epochs)
    let variantPredictive = posteriorPredictive(variant, samples: predictiveSamples)
    // weave: hide-start
    let label = priorLabel(priorSigma)
    metrics["prior\(label)"] = .object(summary(variantPredictive, curve: nil))
    figures.append(bandFigure("prior-\(label)", title: "prior N(0, \(priorSigma)²)", variantPredictive))
    // weave: hide-end
}

let sixSteps = (0..<6).map { Float($0) / 5 }
let denseX = sixSteps.map { -2 + $0 } + sixSteps.map { 1 + $0 }   // six points in [−2, −1] and six in [1, 2]
let denseModel = bayesianNet(generator: generator)
_ = train(denseModel, x: denseX, epochs: epochs)
let densePredictive = posteriorPredictive(denseModel, samples: predictiveSamples)
// weave: hide-start
metrics["twelvePoints"] = .object(summary(densePredictive, curve: nil))
figures.append(bandFigure("twelve-points", title: "12 training points", densePredictive, data: denseX))
// weave: hide-end

/*:
 | prior N(0, 0.1²) | prior N(0, 1²) | prior N(0, 10²) |
 |---|---|---|
 | {{figure: prior-0p1}} | {{figure: prior-1}} | {{figure: prior-10}} |

 Band at x = 4 for prior σ = 0.1, 1, 10: {{result: prior0p1.bandWidthAtPlus4 %.1f}},
 {{result: prior1.bandWidthAtPlus4 %.1f}}, {{result: prior10.bandWidthAtPlus4 %.1f}};
 error at the data: {{result: prior0p1.meanAbsErrorAtTrainingX %.2f}},
 {{result: prior1.meanAbsErrorAtTrainingX %.2f}}, {{result: prior10.meanAbsErrorAtTrainingX %.2f}}.

 With twelve points on the same two intervals the band over the data narrows to at most
 {{result: twelvePoints.maxBandWidthAtTrainingX %.2f}} (six points: {{result: bbb.maxBandWidthAtTrainingX %.2f}}),
 while at x = 4 it stays {{result: twelvePoints.bandWidthAtPlus4 %.1f}} wide:

 {{figure: twelve-points}}
 */
// weave: hide-start
try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
for figure in figures { _ = try figure.write(to: outputDirectory) }
let results = Results(chapter: 1, profile: profile.rawValue, seed: options.common.seed, epochs: epochs,
                      wallTimeSeconds: clock.elapsed, metrics: metrics)
try results.write(to: outputDirectory.appendingPathComponent("results.json"))
print(String(format: "chapter 1 (%@ profile): %d epochs, wall time %.1f s", profile.rawValue, epochs, clock.elapsed))
for (name, value) in metrics.sorted(by: { $0.key < $1.key }) { print("  \(name): \(value)") }
// A smoke run is a check, not a page: only real profiles are woven into README.md.
if profile != .smoke { try Weaver.weaveChapter(1, options: options.common) }
// weave: hide-end
/*:
 ---
 Sources: C. Blundell, J. Cornebise, K. Kavukcuoglu, D. Wierstra, *Weight Uncertainty in Neural
 Networks*, ICML 2015; K. Shridhar, F. Laumann, M. Liwicki, *A Comprehensive Guide to Bayesian
 Convolutional Neural Network with Variational Inference*, 2019. Run with `make chapter1`.
 */
