import Testing
import Foundation
import Engine
import NN
import Bayes

/// A small two-layer Bayesian net whose posterior σ is large enough (ρ = −2, σ ≈ 0.13) for the
/// Monte Carlo spread to be visible.
func twoLayerMonteCarloNet(_ estimator: Estimator, seed: UInt64) -> Sequential {
    let generator = RandomGenerator(seed: seed)
    let initialization = PosteriorInitialization(rhoMean: -2)
    let model = Sequential(
        BayesLinear(16, 12, estimator: estimator, initialization: initialization, generator: generator),
        Lambda { relu($0) },
        BayesLinear(12, 4, estimator: estimator, initialization: initialization, generator: generator))
    model.eval()
    return model
}

@Suite struct Chapter4SupportTests {
    /// `predict` is the softmax of `predictLogits`: two identically seeded nets draw the same noise.
    @Test(arguments: [Estimator.weightSampling, .localReparameterization])
    func predictIsTheSoftmaxOfPredictLogits(_ estimator: Estimator) {
        let x = Tensor.randomNormal([5, 16], generator: RandomGenerator(seed: 2))
        let probabilities = predict(twoLayerMonteCarloNet(estimator, seed: 7), x, samples: 6)
        let logits = predictLogits(twoLayerMonteCarloNet(estimator, seed: 7), x, samples: 6)
        #expect(logits.shape == [6, 5, 4] && probabilities.shape == [6, 5, 4])
        let expected = softmax(logits, axis: -1).array
        for (a, b) in zip(probabilities.array, expected) { #expect(Swift.abs(a - b) < 1e-6) }
        // Logits are not probabilities: some are negative.
        #expect(logits.array.contains { $0 < 0 })
    }

    /// The reference implementation repeats an image T times in one batch and runs one forward
    /// pass. With Bayes by Backprop that pass uses one weight sample for the whole batch, so the
    /// T copies are identical and the epistemic term is exactly zero. `predictLogits` gives every
    /// copy its own weight sample, so the epistemic term is positive — by both probability methods.
    @Test func bayesByBackpropNeedsOneWeightSamplePerCopy() {
        let model = twoLayerMonteCarloNet(.weightSampling, seed: 11)
        let (t, n) = (10, 6)
        let x = Tensor.randomNormal([n, 16], generator: RandomGenerator(seed: 12))

        // The reference's way: T stacked copies, one pass, one shared weight sample.
        let shared = withoutGradient { model(concatenate([Tensor](repeating: x, count: t), axis: 0)) }.reshaped([t, n, 4])
        for method in ProbabilityMethod.allCases {
            let split = varianceDecomposition(logits: shared, method: method)
            #expect(split.epistemicTrace.allSatisfy { $0 < 1e-12 }, "\(method): shared sample gives \(split.epistemicTrace)")
            #expect(informationDecomposition(logits: shared, method: method).mutualInformation.allSatisfy { $0 < 1e-6 })
        }

        // This suite's way: one weight sample per copy.
        let logits = predictLogits(model, x, samples: t)
        for method in ProbabilityMethod.allCases {
            let split = varianceDecomposition(logits: logits, method: method)
            #expect(split.epistemicTrace.allSatisfy { $0 > 1e-6 }, "\(method): \(split.epistemicTrace)")
            #expect(split.aleatoricTrace.allSatisfy { $0 > 0 })
            #expect(informationDecomposition(logits: logits, method: method).mutualInformation.allSatisfy { $0 > 0 })
        }
    }

    /// Local reparameterization may stack the copies (each row gets its own activation noise), in
    /// one pass or in several chunks: either way the copies differ.
    @Test(arguments: [4096, 8])
    func localReparameterizationStacksCopiesWithTheirOwnNoise(_ maxRowsPerPass: Int) {
        let model = twoLayerMonteCarloNet(.localReparameterization, seed: 5)
        let x = Tensor.randomNormal([4, 16], generator: RandomGenerator(seed: 6))
        let logits = predictLogits(model, x, samples: 5, maxRowsPerPass: maxRowsPerPass)
        #expect(logits.shape == [5, 4, 4])
        let rows = logits.array
        #expect(rows[0..<16] != rows[16..<32])          // sample 0 and sample 1 of the same examples differ
        #expect(varianceDecomposition(logits: logits, method: .softmax).epistemicTrace.allSatisfy { $0 > 1e-6 })
        // At the posterior means every copy is the same net.
        model.setSampling(.mean)
        let meanLogits = predictLogits(model, x, samples: 3, maxRowsPerPass: maxRowsPerPass)
        #expect(varianceDecomposition(logits: meanLogits, method: .normalized).epistemicTrace.allSatisfy { $0 < 1e-12 })
    }
}
