import Testing
import Foundation
import Engine
import NN
import Bayes
import Models

@Suite struct ProfileSteps {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["PROFILE_STEPS"] != nil))
    func steps() {
        let name = ProcessInfo.processInfo.environment["PROFILE_STEPS"]!
        let bayesian = name.hasPrefix("b")
        let architecture: Architecture = name.hasSuffix("lenet") ? .lenet5 : .alexnet
        let generator = RandomGenerator(seed: 1)
        let channels = architecture == .lenet5 ? 1 : 3
        let model = architecture.make(classes: 10, inputChannels: channels, activation: bayesian ? .softplus : .relu,
                                      layers: LayerFactory(bayesian ? .bayesian(VariationalSettings()) : .frequentist, generator: generator))
        let optimizer = Adam(parameters: model.parameters, learningRate: 1e-3)
        let images = Tensor.randomNormal([256, channels, 32, 32], generator: generator)
        let labels = (0..<256).map { $0 % 10 }
        let start = Date()
        for _ in 0..<20 {
            optimizer.zeroGrad()
            let logits = model(images)
            let nll = crossEntropy(logits: logits, labels: labels)
            let loss = bayesian ? elbo(nll: nll, kl: model.kl, beta: 0.1, datasetSize: 50_000).loss : nll
            loss.backward()
            optimizer.step()
        }
        print("PROFILE \(name): \(20 * 256 / Date().timeIntervalSince(start)) images/s")
    }
}
