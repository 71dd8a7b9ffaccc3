// TrainingSteps.swift — images per second of whole training steps (forward, loss, backward,
// Adam update) for the chapters' networks at batch 256, frequentist (ReLU, cross-entropy: the
// step `bench/pytorch_reference.py` times in PyTorch) and Bayesian (local reparameterization,
// softplus, ELBO with closed-form KL: the reference implementation's default).

import Engine
import NN
import Bayes
import Models

struct TrainingStepRate {
    var model: Architecture
    var bayesian: Bool
    var imagesPerSecond: Double
}

/// One training step of `model` on a fixed random batch.
func trainingStep(_ model: Module, optimizer: Adam, images: Tensor, labels: [Int], bayesian: Bool) {
    optimizer.zeroGrad()
    let logits = model(images)
    let loss: Tensor
    if bayesian {
        let nll = crossEntropy(logits: logits, labels: labels)
        loss = elbo(nll: nll, kl: model.kl, beta: 0.1, datasetSize: 50_000).loss
    } else {
        loss = crossEntropy(logits: logits, labels: labels)
    }
    loss.backward()
    optimizer.step()
}

func trainingStepRates(batch: Int = 256, architectures: [Architecture] = [.lenet5, .alexnet, .threeConvThreeFC]) -> [TrainingStepRate] {
    var rates: [TrainingStepRate] = []
    for architecture in architectures {
        for bayesian in [false, true] {
            let generator = RandomGenerator(seed: 1)
            let channels = architecture == .lenet5 ? 1 : 3
            let kind: NetworkKind = bayesian ? .bayesian(VariationalSettings()) : .frequentist
            let model = architecture.make(classes: 10, inputChannels: channels, activation: bayesian ? .softplus : .relu,
                                          layers: LayerFactory(kind, generator: generator))
            let optimizer = Adam(parameters: model.parameters, learningRate: 1e-3)
            let images = Tensor.randomNormal([batch, channels, 32, 32], generator: generator)
            let labels = (0..<batch).map { $0 % 10 }
            let seconds = bestTime(budget: 2, minRuns: 3) {
                trainingStep(model, optimizer: optimizer, images: images, labels: labels, bayesian: bayesian)
            }
            rates.append(TrainingStepRate(model: architecture, bayesian: bayesian, imagesPerSecond: Double(batch) / seconds))
        }
    }
    return rates
}
