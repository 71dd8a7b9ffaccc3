import Testing
import Foundation
import Engine
import NN
import Bayes

func linearMap(_ x: Tensor, _ w: Tensor, _ b: Tensor?) -> Tensor { linear(x, weight: w, bias: b) }

@Suite struct BayesianLayerTests {
    @Test func fusedLocalReparameterizationMatchesComposed() {
        let x = sample([5, 4], seed: 1), mu = sample([3, 4], seed: 2), sigma = sample([3, 4], seed: 3, center: 0.5, spread: 0.3)
        let biasMu = sample([3], seed: 4), biasSigma = sample([3], seed: 5, center: 0.3, spread: 0.1)
        let noise = Tensor.randomNormal([5, 3], generator: RandomGenerator(seed: 6))
        let fused = localReparameterization(x, kernels: .linear, weightMean: mu, weightSigma: sigma, biasMean: biasMu, biasSigma: biasSigma, noise: noise)
        let composed = localReparameterizationComposed(x, affine: linearMap, weightMean: mu, weightSigma: sigma, biasMean: biasMu, biasSigma: biasSigma, noise: noise)
        for (a, b) in zip(fused.array, composed.array) { #expect(Swift.abs(a - b) < 1e-5) }
        // Gradients of both against each other and against finite differences.
        let inputs = [x, mu, sigma, biasMu, biasSigma]
        let fusedCheck = checkGradients(of: inputs) { t in
            projected(localReparameterization(t[0], kernels: .linear, weightMean: t[1], weightSigma: t[2], biasMean: t[3], biasSigma: t[4], noise: noise))
        }
        #expect(fusedCheck.passed, "\(fusedCheck)")
        let fusedGrads = inputs.map { $0.grad!.array }
        _ = checkGradients(of: inputs) { t in
            projected(localReparameterizationComposed(t[0], affine: linearMap, weightMean: t[1], weightSigma: t[2], biasMean: t[3], biasSigma: t[4], noise: noise))
        }
        for (input, fusedGrad) in zip(inputs, fusedGrads) {
            for (a, b) in zip(input.grad!.array, fusedGrad) { #expect(Swift.abs(a - b) < 1e-4 * Swift.max(1, Swift.abs(b))) }
        }
    }

    @Test(arguments: Estimator.allCases)
    func layerGradientsWithFixedNoise(_ estimator: Estimator) {
        let layer = BayesLinear(4, 3, estimator: estimator, initialization: .init(rhoMean: -1), generator: RandomGenerator(seed: 3))
        layer.sampling = .fixed(seed: 42)
        let x = sample([6, 4], seed: 8)
        let parameters = layer.parameters
        #expect(parameters.count == 4)
        let result = checkGradients(of: [x] + parameters) { _ in projected(layer(x)) + layer.kl }
        #expect(result.passed, "\(estimator): \(result)")
    }

    @Test func samplingModes() {
        let layer = BayesLinear(3, 2, estimator: .weightSampling, initialization: .init(rhoMean: 0), generator: RandomGenerator(seed: 1))
        let x = sample([2, 3], seed: 2)
        layer.sampling = .mean
        #expect(layer(x).array == linear(x, weight: layer.weight.mean, bias: layer.bias!.mean).array)
        layer.sampling = .fixed(seed: 7)
        #expect(layer(x).array == layer(x).array)
        layer.sampling = .sample
        #expect(layer(x).array != layer(x).array)
    }

    @Test func localReparameterizationHasTheRightMoments() {
        // Output mean and variance across noise draws equal x·μ + μ_b and x²·σ² + σ_b².
        let generator = RandomGenerator(seed: 9)
        let layer = BayesLinear(2, 1, estimator: .localReparameterization, initialization: .init(rhoMean: -1), generator: generator)
        let x = Tensor(shape: [1, 2], values: [0.5, -1.5])
        let (mu, sigma) = (layer.weight.mean.array, layer.weight.sigma.array)
        let (bMu, bSigma) = (layer.bias!.mean.item, layer.bias!.sigma.item)
        let expectedMean = 0.5 * mu[0] - 1.5 * mu[1] + bMu
        let expectedVariance = 0.25 * sigma[0] * sigma[0] + 2.25 * sigma[1] * sigma[1] + bSigma * bSigma
        let draws = withoutGradient { (0..<20_000).map { _ in layer(x).item } }
        let mean = draws.reduce(0, +) / Float(draws.count)
        let variance = draws.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(draws.count)
        #expect(Swift.abs(mean - expectedMean) < 0.02)
        #expect(Swift.abs(variance / expectedVariance - 1) < 0.05)
    }

    @Test func modelKLSumsLayersAndMonteCarloKLIsUnbiased() {
        let generator = RandomGenerator(seed: 4)
        let model = Sequential(BayesLinear(3, 4, generator: generator), Lambda(relu), BayesLinear(4, 2, generator: generator))
        _ = model(sample([2, 3]))
        let layers = model.bayesianLayers
        #expect(layers.count == 2)
        let total = model.kl.item
        #expect(Swift.abs(total - (layers[0].layerKL!.item + layers[1].layerKL!.item)) < 1e-3)
        let mc = BayesLinear(3, 4, estimator: .weightSampling, klMethod: .monteCarlo, generator: RandomGenerator(seed: 4))
        let exact = BayesLinear(3, 4, estimator: .weightSampling, klMethod: .closedForm, generator: RandomGenerator(seed: 4))
        var estimate: Double = 0
        for _ in 0..<4000 { _ = mc(sample([1, 3])); estimate += Double(mc.layerKL!.item) }
        _ = exact(sample([1, 3]))
        let exactKL = exact.layerKL!.item
        #expect(Swift.abs(Float(estimate / 4000) - exactKL) < 0.02 * exactKL, "MC \(estimate / 4000) vs \(exactKL)")
    }

    @Test func perExampleWeightSamplesDiffer() {
        let layer = BayesLinear(2, 2, estimator: .weightSampling, initialization: .init(rhoMean: 0), generator: RandomGenerator(seed: 2))
        layer.weightSamplePerExample = true
        let x = Tensor(shape: [2, 2], values: [1, 1, 1, 1])
        let y = layer(x).array
        #expect(y[0] != y[2] || y[1] != y[3])
        layer.weightSamplePerExample = false
        let z = layer(x).array
        #expect(z[0] == z[2] && z[1] == z[3])
    }
}

@Suite struct ELBOTests {
    @Test func blundellWeightsSumToOneAndDecay() {
        let m = 200
        let betas = (1...m).map { BetaSchedule.blundell.beta(batch: $0, batches: m, epoch: 0, epochs: 10) }
        #expect(Swift.abs(betas.reduce(0, +) - 1) < 1e-5)
        #expect(zip(betas, betas.dropFirst()).allSatisfy { $0 > $1 || $1 == 0 })
        #expect(Swift.abs(BetaSchedule.blundell.beta(batch: 1, batches: 3, epoch: 0, epochs: 1) - 4.0 / 7) < 1e-6)
        #expect(BetaSchedule.standard.beta(batch: 3, batches: 4, epoch: 0, epochs: 1) == 0.25)
        #expect(BetaSchedule.soenderby.beta(batch: 1, batches: 4, epoch: 2, epochs: 20) == 0.4)
        #expect(BetaSchedule.soenderby.beta(batch: 1, batches: 4, epoch: 9, epochs: 20) == 1)
        #expect(BetaSchedule("0.1") == .constant(0.1) && BetaSchedule("Blundell") == .blundell && BetaSchedule("x") == nil)
    }

    @Test func monteCarloNLLAveragesLikelihoodsBeforeTheLog() {
        // Two samples, one example, two classes: p = softmax gives 0.5 and ~1 for class 0.
        let logits = Tensor(shape: [2, 1, 2], values: [0, 0, 30, 0])
        let nll = monteCarloClassificationNLL(logits: logits, labels: [0]).item
        #expect(Swift.abs(nll - (-Foundation.log(0.75))) < 1e-5)
        let l = sample([3, 4, 5], seed: 3)
        let result = checkGradients(of: [l]) { monteCarloClassificationNLL(logits: $0[0], labels: [0, 4, 2, 1]) }
        #expect(result.passed, "\(result)")
    }

    @Test func scalingsHaveTheSameMinimiserDirection() {
        let nll = Tensor(scalar: 0.5), kl = Tensor(scalar: 100)
        let perExample = elbo(nll: nll, kl: kl, beta: 1, datasetSize: 1000).loss.item
        let reference = elbo(nll: nll, kl: kl, beta: 1, datasetSize: 1000, scaling: .reference).loss.item
        #expect(Swift.abs(perExample - 0.6) < 1e-6 && Swift.abs(reference - 600) < 1e-3)
    }

    @Test func predictGivesEveryCopyItsOwnSample() {
        for estimator in Estimator.allCases {
            let generator = RandomGenerator(seed: 1)
            let model = Sequential(BayesLinear(3, 4, estimator: estimator, initialization: .init(rhoMean: -1), generator: generator),
                                   Lambda(relu), BayesLinear(4, 3, estimator: estimator, initialization: .init(rhoMean: -1), generator: generator))
            let p = predict(model, sample([5, 3]), samples: 7, maxRowsPerPass: 12)
            #expect(p.shape == [7, 5, 3])
            let rows = p.array
            #expect(Array(rows[0..<15]) != Array(rows[15..<30]), "\(estimator)")
            let sums = sum(p, axes: [2]).array
            #expect(sums.allSatisfy { Swift.abs($0 - 1) < 1e-5 })
        }
    }
}
