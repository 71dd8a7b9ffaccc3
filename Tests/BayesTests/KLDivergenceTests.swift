import Testing
import Foundation
import Engine
import Bayes

@Suite struct KLDivergenceTests {
    @Test func closedFormMatchesHandComputedValueAndDirection() {
        // KL(N(0, 1) ‖ N(1, 2²)) = log 2 + (1 + 1)/(2·4) − ½ = 0.4431472
        let forward = gaussianKL(posteriorMean: Tensor(shape: [1], values: [0]), posteriorSigma: Tensor(shape: [1], values: [1]),
                                 priorMean: 1, priorSigma: 2).item
        // KL(N(1, 2²) ‖ N(0, 1)) = log ½ + (4 + 1)/2 − ½ = 1.3068528
        let reverse = gaussianKL(posteriorMean: Tensor(shape: [1], values: [1]), posteriorSigma: Tensor(shape: [1], values: [2]),
                                 priorMean: 0, priorSigma: 1).item
        #expect(Swift.abs(forward - 0.4431472) < 1e-5)
        #expect(Swift.abs(reverse - 1.3068528) < 1e-5)
        #expect(Swift.abs(forward - reverse) > 0.5)
    }

    @Test func zeroWhenPosteriorEqualsPriorAndPositiveOtherwise() {
        let same = gaussianKL(posteriorMean: Tensor(zeros: [10]), posteriorSigma: Tensor(shape: [10], repeating: 0.1),
                              priorMean: 0, priorSigma: 0.1).item
        #expect(Swift.abs(same) < 1e-5)
        let generator = RandomGenerator(seed: 5)
        for _ in 0..<20 {
            let mu = Tensor.randomNormal([5], generator: generator)
            let sigma = Tensor.randomUniform([5], low: 0.01, high: 3, generator: generator)
            #expect(gaussianKL(posteriorMean: mu, posteriorSigma: sigma, priorMean: 0.3, priorSigma: 0.7).item >= 0)
        }
    }

    @Test func monteCarloAgreesWithClosedForm() {
        let generator = RandomGenerator(seed: 11)
        let mu = Tensor.randomNormal([4], std: 0.5, generator: generator)
        let sigma = Tensor.randomUniform([4], low: 0.2, high: 0.8, generator: generator)
        let exact = gaussianKL(posteriorMean: mu, posteriorSigma: sigma, priorMean: 0, priorSigma: 1).item
        var total: Double = 0
        let draws = 20_000
        for _ in 0..<draws {
            let w = mu + sigma * Tensor.randomNormal([4], generator: generator)
            total += Double(monteCarloKL(sample: w, posteriorMean: mu, posteriorSigma: sigma, prior: .gaussian(mean: 0, sigma: 1)).item)
        }
        let estimate = Float(total / Double(draws))
        #expect(Swift.abs(estimate - exact) < 0.03 * Swift.max(exact, 1), "MC \(estimate) vs exact \(exact)")
    }

    @Test func scaleMixtureLogDensityMatchesFormula() {
        let prior = Prior.scaleMixture(pi: 0.25, sigma1: 1, sigma2: 0.01)
        let w: Float = 0.3
        func normal(_ x: Float, _ s: Float) -> Float { Foundation.exp(-x * x / (2 * s * s)) / (s * Float(2 * Double.pi).squareRoot()) }
        let expected = Foundation.log(0.25 * normal(w, 1) + 0.75 * normal(w, 0.01))
        #expect(Swift.abs(prior.logDensity(Tensor(shape: [1], values: [w])).item - expected) < 1e-4)
        // Far in the tail both components underflow in float32; the log-sum-exp form stays finite.
        #expect(prior.logDensity(Tensor(shape: [1], values: [50])).item.isFinite)
    }

    @Test func klGradients() {
        let mu = sample([6], seed: 1), sigma = sample([6], seed: 2, center: 1, spread: 0.5)
        let result = checkGradients(of: [mu, sigma]) { gaussianKL(posteriorMean: $0[0], posteriorSigma: $0[1], priorMean: 0.1, priorSigma: 0.5) }
        #expect(result.passed, "\(result)")
    }
}

func sample(_ shape: [Int], seed: UInt64 = 1, center: Float = 0, spread: Float = 1) -> Tensor {
    Tensor.randomUniform(shape, low: center - spread, high: center + spread, generator: RandomGenerator(seed: seed))
}

func projected(_ y: Tensor, seed: UInt64 = 99) -> Tensor {
    sum(y * sample(y.shape, seed: seed))
}
