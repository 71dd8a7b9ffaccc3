import Testing
import Foundation
import Engine
import NN
import Bayes

/// ρ with softplus(ρ) = σ.
func inverseSoftplus(_ sigma: Float) -> Float { Foundation.log(Foundation.expm1(sigma)) }

/// A 2 → 2 layer with μ = [0.1, −2, 0.5, 1] and σ = [0.01, 8, 1, 0.2]:
/// |μ| ranks weights 0, 2, 3, 1 from smallest; |μ|/σ = [10, 0.25, 0.5, 5] ranks them 1, 2, 3, 0.
func handBuiltLayer(estimator: Estimator = .localReparameterization) -> BayesLinear {
    let layer = BayesLinear(2, 2, estimator: estimator, generator: RandomGenerator(seed: 1))
    layer.weight.mean.assign(Tensor(shape: [2, 2], values: [0.1, -2, 0.5, 1]))
    layer.weight.rho.assign(Tensor(shape: [2, 2], values: [0.01, 8, 1, 0.2].map(inverseSoftplus)))
    return layer
}

func smallBayesianNet(_ estimator: Estimator, seed: UInt64 = 4) -> Sequential {
    let generator = RandomGenerator(seed: seed)
    let initialization = PosteriorInitialization(rhoMean: -2)
    return Sequential(BayesLinear(5, 4, estimator: estimator, initialization: initialization, generator: generator),
                      Lambda { tanh($0) },
                      BayesLinear(4, 3, estimator: estimator, initialization: initialization, generator: generator))
}

@Suite struct PruningTests {
    @Test(arguments: Estimator.allCases)
    func maskRemovesAWeightFromOutputAndGradient(_ estimator: Estimator) {
        let layer = BayesLinear(3, 2, estimator: estimator, initialization: .init(rhoMean: -1), generator: RandomGenerator(seed: 2))
        layer.sampling = .fixed(seed: 5)
        let mask = Tensor(shape: [2, 3], repeating: 1)
        mask.data[1] = 0                                           // weight (0, 1): input 1 → output 0
        layer.weightMask = mask
        let x = sample([4, 3], seed: 3)
        let shifted = x.copy()
        for n in 0..<4 { shifted.data[n * 3 + 1] += 1 }
        let (out, outShifted) = (layer(x).array, layer(shifted).array)
        for n in 0..<4 {
            #expect(out[n * 2] == outShifted[n * 2], "\(estimator): output 0 must not see input 1")
            #expect(out[n * 2 + 1] != outShifted[n * 2 + 1], "\(estimator): output 1 still sees input 1")
        }
        // Gradients (data term and KL): zero for the removed weight's μ and ρ, nonzero elsewhere.
        layer.zeroGrad()
        (projected(layer(x)) + layer.kl).backward()
        let (meanGrad, rhoGrad) = (layer.weight.mean.grad!.array, layer.weight.rho.grad!.array)
        #expect(meanGrad[1] == 0 && rhoGrad[1] == 0)
        #expect(meanGrad.enumerated().allSatisfy { $0.offset == 1 || $0.element != 0 })
        #expect(rhoGrad.enumerated().allSatisfy { $0.offset == 1 || $0.element != 0 })
        // And the masked layer's gradients are right (finite differences).
        let check = checkGradients(of: [x] + layer.parameters) { _ in projected(layer(x)) + layer.kl }
        #expect(check.passed, "\(estimator): \(check)")
    }

    @Test func maskedConvolutionGetsNoGradientForRemovedWeights() {
        for estimator in Estimator.allCases {
            let layer = BayesConv2d(2, 4, kernelSize: 3, padding: 1, estimator: estimator, generator: RandomGenerator(seed: 6))
            prune(layer, fraction: 0.5, criterion: .signalToNoise)
            let mask = layer.weightMask!.array
            #expect(mask.filter { $0 == 0 }.count == 36)
            (projected(layer(sample([2, 2, 5, 5], seed: 7))) + layer.kl).backward()
            let (meanGrad, rhoGrad) = (layer.weight.mean.grad!.array, layer.weight.rho.grad!.array)
            for i in mask.indices where mask[i] == 0 { #expect(meanGrad[i] == 0 && rhoGrad[i] == 0, "\(estimator)") }
        }
    }

    @Test func criteriaOrderWeightsOnAHandBuiltLayer() {
        let layer = handBuiltLayer()
        #expect(layer.pruningScores(.magnitude).array == [0.1, 2, 0.5, 1])
        let snr = layer.pruningScores(.signalToNoise).array
        for (a, b) in zip(snr, [10, 0.25, 0.5, 5] as [Float]) { #expect(Swift.abs(a - b) < 1e-4 * b) }

        let byMagnitude = prune(layer, fraction: 0.25, criterion: .magnitude)
        #expect(layer.weightMask!.array == [0, 1, 1, 1])
        #expect(byMagnitude.kept == 3 && byMagnitude.total == 4 && byMagnitude.layers[0].threshold == 0.1)
        prune(layer, fraction: 0.25, criterion: .signalToNoise)
        #expect(layer.weightMask!.array == [1, 0, 1, 1])
        let half = prune(layer, fraction: 0.5, criterion: .signalToNoise)
        #expect(layer.weightMask!.array == [1, 0, 0, 1])
        #expect(half.removedFraction == 0.5 && layer.keptWeightCount == 2)
        prune(layer, fraction: 0.75, criterion: .magnitude)
        #expect(layer.weightMask!.array == [0, 1, 0, 0])
    }

    @Test(arguments: Estimator.allCases)
    func pruningNothingChangesNothing(_ estimator: Estimator) {
        let model = smallBayesianNet(estimator)
        model.setSampling(.fixed(seed: 9))
        let x = sample([6, 5], seed: 10)
        let before = model(x).array, klBefore = model.kl.item
        let summary = prune(model, fraction: 0, criterion: .signalToNoise)
        #expect(summary.kept == summary.total && summary.total == 5 * 4 + 4 * 3)
        #expect(model.variationalLayers.allSatisfy { $0.layer.weightMask != nil })
        let after = model(x).array, klAfter = model.kl.item
        #expect(before == after)
        #expect(klBefore == klAfter)
    }

    @Test func globalAndPerLayerScopes() {
        // Layer 0 has small means, layer 1 large ones: a global cut takes layer 0 first.
        let model = smallBayesianNet(.localReparameterization)
        let layers = model.variationalLayers
        #expect(layers.map(\.name) == ["layers.0", "layers.2"])
        layers[0].layer.weight.mean.assign(layers[0].layer.weight.mean * 1e-4)
        let global = prune(model, fraction: 0.5, criterion: .magnitude, scope: .global)
        #expect(global.kept == 16)
        #expect(global.layers[0].kept == 4 && global.layers[1].kept == 12)
        let perLayer = prune(model, fraction: 0.5, criterion: .magnitude, scope: .perLayer)
        #expect(perLayer.layers.map(\.kept) == [10, 6])
        #expect(pruningSummary(model).layers.map(\.kept) == [10, 6])
        removePruningMasks(model)
        #expect(pruningSummary(model).kept == 32)
    }

    @Test func keepingRemovedWeights() {
        let layer = handBuiltLayer()
        prune(layer, fraction: 0.5, criterion: .magnitude)           // removes 0 and 2
        prune(layer, fraction: 0.25, criterion: .signalToNoise, keepingRemoved: true)
        #expect(layer.weightMask!.array == [0, 1, 0, 1])
        prune(layer, fraction: 0.75, criterion: .signalToNoise, keepingRemoved: true)
        #expect(layer.weightMask!.array == [0, 0, 0, 1])
    }

    @Test func prunedKLCoversOnlyKeptWeights() {
        // Closed form: Σ over kept weights of log(σ_p/σ) + (σ² + μ²)/(2σ_p²) − ½, prior N(0, 0.1²).
        let layer = handBuiltLayer()
        prune(layer, fraction: 0.5, criterion: .signalToNoise)          // keeps weights 0 and 3
        let (mu, sigma) = (layer.weight.mean.array, layer.weight.sigma.array)
        let biasKL = gaussianKL(posteriorMean: layer.bias!.mean, posteriorSigma: layer.bias!.sigma, priorMean: 0, priorSigma: 0.1).item
        var expected = biasKL
        for i in [0, 3] {
            let logRatio: Float = Foundation.log(0.1 / sigma[i])
            let spread: Float = (sigma[i] * sigma[i] + mu[i] * mu[i]) / 0.02
            expected += logRatio + spread - 0.5
        }
        #expect(Swift.abs(layer.layerKL!.item - expected) < 1e-3 * Swift.abs(expected))

        // Monte Carlo with a scale-mixture prior: removed weights contribute no gradient, and the
        // estimate agrees with the kept weights' terms computed by hand.
        let mixture = BayesLinear(3, 2, prior: .scaleMixture(pi: 0.5, sigma1: 1, sigma2: 0.05), klMethod: .monteCarlo,
                                  initialization: .init(rhoMean: -2), generator: RandomGenerator(seed: 3))
        prune(mixture, fraction: 0.5, criterion: .magnitude)
        mixture.sampling = .fixed(seed: 1)
        (projected(mixture(sample([2, 3], seed: 2))) + mixture.kl).backward()
        let mask = mixture.weightMask!.array
        for i in mask.indices where mask[i] == 0 {
            #expect(mixture.weight.mean.grad!.array[i] == 0 && mixture.weight.rho.grad!.array[i] == 0)
        }
        // (No finite-difference check of the Monte Carlo KL: `checkGradients` evaluates without
        // recording, where `layerKL` draws a fresh sample from the run's stream on every call.)
    }

    @Test func masksAreSavedAndLoadedWithTheModel() throws {
        let model = smallBayesianNet(.localReparameterization)
        prune(model, fraction: 0.4, criterion: .signalToNoise)
        let names = model.namedBuffers.map(\.0)
        #expect(names == ["layers.0.weightMask", "layers.2.weightMask"])
        let state = Dictionary(uniqueKeysWithValues: model.stateDict.map { ($0.0, $0.1.copy()) })

        let fresh = smallBayesianNet(.localReparameterization, seed: 77)
        #expect(throws: StateDictError.self) { try fresh.load(stateDict: state) }
        installPruningMasks(fresh)
        try fresh.load(stateDict: state)
        #expect(pruningSummary(fresh).kept == pruningSummary(model).kept)
        model.setSampling(.mean)
        fresh.setSampling(.mean)
        let x = sample([3, 5], seed: 4)
        #expect(model(x).array == fresh(x).array)
    }

    @Test func l1PenaltyOfKeptMeans() {
        let layer = handBuiltLayer()
        #expect(Swift.abs(l1Penalty(layer).item - 3.6) < 1e-6)
        prune(layer, fraction: 0.25, criterion: .signalToNoise)          // removes μ = −2
        #expect(Swift.abs(l1Penalty(layer).item - 1.6) < 1e-6)
    }
}
