// TrainingSteps.swift — images per second of whole training steps (forward, loss, backward,
// Adam update) for the chapters' networks at batch 256: frequentist (ReLU, cross-entropy: the
// step `bench/pytorch_reference.py` times in PyTorch) and Bayesian with each estimator (BBB,
// local reparameterization, Flipout; softplus, ELBO with closed-form KL: the reference
// implementation's default), and Monte Carlo prediction (10 samples, no gradient).

import Engine
import NN
import Bayes
import Models

/// What one timed network is: frequentist, or Bayesian with an estimator.
enum StepKind: String, CaseIterable {
    case frequentist, bbb, lrt, flipout

    var estimator: Estimator? {
        switch self {
        case .frequentist: nil
        case .bbb: .weightSampling
        case .lrt: .localReparameterization
        case .flipout: .flipout
        }
    }
}

/// The network and a fixed random batch for one timing.
struct StepSetup {
    let model: Module
    let optimizer: Adam
    let images: Tensor
    let labels: [Int]
    let kind: StepKind

    init(_ architecture: Architecture, _ kind: StepKind, batch: Int) {
        let generator = RandomGenerator(seed: 1)
        let channels = architecture == .lenet5 ? 1 : 3
        let layers = LayerFactory(kind.estimator.map { .bayesian(VariationalSettings(estimator: $0)) } ?? .frequentist,
                                  generator: generator)
        model = architecture.make(classes: 10, inputChannels: channels, activation: kind == .frequentist ? .relu : .softplus,
                                  layers: layers)
        optimizer = Adam(parameters: model.parameters, learningRate: 1e-3)
        images = Tensor.randomNormal([batch, channels, 32, 32], generator: generator)
        labels = (0..<batch).map { $0 % 10 }
        self.kind = kind
    }

    /// One training step on the fixed batch.
    func trainingStep() {
        optimizer.zeroGrad()
        let logits = model(images)
        let nll = crossEntropy(logits: logits, labels: labels)
        let loss = kind == .frequentist ? nll : elbo(nll: nll, kl: model.kl, beta: 0.1, datasetSize: 50_000).loss
        loss.backward()
        optimizer.step()
    }

    /// Monte Carlo predictive probabilities with `samples` draws (Bayesian nets only).
    func prediction(samples: Int) {
        _ = predict(model, images, samples: samples)
    }
}

struct TrainingStepRate {
    var model: Architecture
    var kind: StepKind
    var imagesPerSecond: Double
}

func trainingStepRates(batch: Int, architectures: [Architecture], kinds: [StepKind]) -> [TrainingStepRate] {
    var rates: [TrainingStepRate] = []
    for architecture in architectures {
        for kind in kinds {
            let setup = StepSetup(architecture, kind, batch: batch)
            let seconds = bestTime(budget: 2, minRuns: 3) { setup.trainingStep() }
            rates.append(TrainingStepRate(model: architecture, kind: kind, imagesPerSecond: Double(batch) / seconds))
        }
    }
    return rates
}

/// Images per second of 10-sample Monte Carlo prediction with the LRT net.
func predictionRate(_ architecture: Architecture, batch: Int, samples: Int = 10) -> Double {
    let setup = StepSetup(architecture, .lrt, batch: batch)
    let seconds = bestTime(budget: 2, minRuns: 3) { setup.prediction(samples: samples) }
    return Double(batch) / seconds
}

/// `bench profile <architecture> <kind> [seconds] [steps]`: repeat one training step (or `predict`)
/// for a profiler (perf, callgrind) and print its rate; with `steps`, exactly that many after one
/// warm-up step (a fixed amount of work, for instruction counts).
func runProfileLoop(_ arguments: [String]) {
    if arguments.first == "maxpool" {
        let x = Tensor.randomNormal([256, 6, 28, 28], generator: RandomGenerator(seed: 1))
        let t = bestTime(budget: 2, minRuns: 5) { _ = withoutGradient { maxPool2d(x, kernel: 2) } }
        let t2 = bestTime(budget: 2, minRuns: 5) { _ = maxPool2d(x, kernel: 2) }
        print(String(format: "maxpool 256×6×28×28: %.3f ms no-grad, %.3f ms", t * 1e3, t2 * 1e3))
        return
    }
    if arguments.first == "normal" {
        let (generator, values) = (RandomGenerator(seed: 1), Tensor(uninitializedShape: [1 << 20]))
        let t = bestTime(budget: 2, minRuns: 5) { generator.fillNormal(values.data, count: values.count) }
        let check = RandomGenerator(seed: 5)
        check.fillNormal(values.data, count: 1001)
        let digest = (0..<1001).reduce(UInt64(0)) { ($0 &* 31) &+ UInt64(values.data[$1].bitPattern) } &+ check.next()
        print(String(format: "fillNormal: %.2f ns/value (digest %llx)", t / Double(values.count) * 1e9, digest))
        return
    }
    guard arguments.count >= 2, let architecture = Architecture(rawValue: arguments[0]),
          let kind = StepKind(rawValue: arguments[1]) ?? (arguments[1] == "predict" ? .lrt : nil) else {
        print("usage: bench profile <lenet5|alexnet|3conv3fc> <frequentist|bbb|lrt|flipout|predict> [seconds] [steps], or bench profile maxpool|normal")
        return
    }
    let seconds = arguments.count > 2 ? Double(arguments[2]) ?? 10 : 10
    let setup = StepSetup(architecture, kind, batch: 256)
    let predicting = arguments[1] == "predict"
    let fixedSteps = arguments.count > 3 ? Int(arguments[3]) : nil
    if fixedSteps != nil { if predicting { setup.prediction(samples: 10) } else { setup.trainingStep() } }
    var steps = 0
    let start = now()
    while fixedSteps.map({ steps < $0 }) ?? (now() - start < seconds) {
        if predicting { setup.prediction(samples: 10) } else { setup.trainingStep() }
        steps += 1
    }
    print(String(format: "%@ %@: %.0f images/s over %d steps", arguments[0], arguments[1],
                 Double(256 * steps) / (now() - start), steps))
}
