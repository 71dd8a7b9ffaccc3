import Testing
import Engine
import NN
import Bayes
import Models

@Suite struct ArchitectureTests {
    @Test(arguments: Architecture.allCases)
    func outputShapesAndEveryParameterGetsAGradient(_ architecture: Architecture) {
        let channels = architecture == .lenet5 ? 1 : 3
        for kind in [NetworkKind.frequentist, .bayesian(VariationalSettings())] {
            let model = architecture.make(classes: 7, inputChannels: channels,
                                          layers: LayerFactory(kind, generator: RandomGenerator(seed: 1)))
            let x = Tensor.randomNormal([2, channels, 32, 32], generator: RandomGenerator(seed: 2))
            let logits = model(x)
            #expect(logits.shape == [2, 7])
            let loss = crossEntropy(logits: logits, labels: [1, 5]) + model.kl * 1e-6
            loss.backward()
            for (name, parameter) in model.namedParameters {
                let norm = parameter.grad.map { sum(abs($0)).item } ?? 0
                #expect(norm > 0, "\(architecture) \(kind.isBayesian ? "Bayesian" : "frequentist"): no gradient for \(name)")
            }
            #expect((model.kl.item > 0) == kind.isBayesian)
        }
    }

    @Test func parameterCountsMatchTheArchitectures() {
        let frequentist = LeNet5(layers: LayerFactory(.frequentist, generator: RandomGenerator(seed: 1)))
        // conv1 6·25+6, conv2 16·6·25+16, fc1 400·120+120, fc2 120·84+84, fc3 84·10+10
        #expect(frequentist.parameterCount == 156 + 2416 + 48120 + 10164 + 850)
        let bayesian = LeNet5(layers: LayerFactory(.bayesian(VariationalSettings()), generator: RandomGenerator(seed: 1)))
        #expect(bayesian.parameterCount == 2 * frequentist.parameterCount)   // μ and ρ per weight
        let alexnet = AlexNet(classes: 10, layers: LayerFactory(.frequentist, generator: RandomGenerator(seed: 1)))
        let half = AlexNet(classes: 10, widthDivisor: 2, layers: LayerFactory(.frequentist, generator: RandomGenerator(seed: 1)))
        #expect(alexnet.parameterCount == (64 * 3 * 121 + 64) + (192 * 64 * 25 + 192) + (384 * 192 * 9 + 384)
                + (256 * 384 * 9 + 256) + (128 * 256 * 9 + 128) + (128 * 10 + 10))
        #expect(half.parameterCount < alexnet.parameterCount / 3)
    }
}
