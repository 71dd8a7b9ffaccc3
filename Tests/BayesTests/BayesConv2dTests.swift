import Testing
import Engine
import NN
import Bayes

@Suite struct BayesConv2dTests {
    @Test func fusedConvolutionLRTMatchesComposed() {
        let x = sample([2, 3, 6, 5], seed: 1)
        let mu = sample([4, 3, 3, 3], seed: 2, spread: 0.3), sigma = sample([4, 3, 3, 3], seed: 3, center: 0.3, spread: 0.2)
        let biasMu = sample([4], seed: 4), biasSigma = sample([4], seed: 5, center: 0.2, spread: 0.1)
        let (stride, padding) = (2, 1)
        let noise = Tensor.randomNormal([2, 4, 3, 3], generator: RandomGenerator(seed: 6))
        let kernels = AffineKernels.convolution(stride: stride, padding: padding)
        func affine(_ x: Tensor, _ w: Tensor, _ b: Tensor?) -> Tensor { conv2d(x, weight: w, bias: b, stride: stride, padding: padding) }
        let fused = localReparameterization(x, kernels: kernels, weightMean: mu, weightSigma: sigma, biasMean: biasMu, biasSigma: biasSigma, noise: noise)
        let composed = localReparameterizationComposed(x, affine: affine, weightMean: mu, weightSigma: sigma, biasMean: biasMu, biasSigma: biasSigma, noise: noise)
        #expect(fused.shape == composed.shape)
        for (a, b) in zip(fused.array, composed.array) { #expect(Swift.abs(a - b) < 1e-4) }
        let inputs = [x, mu, sigma, biasMu, biasSigma]
        let check = checkGradients(of: inputs) { t in
            projected(localReparameterization(t[0], kernels: kernels, weightMean: t[1], weightSigma: t[2], biasMean: t[3], biasSigma: t[4], noise: noise))
        }
        #expect(check.passed, "\(check)")
        let fusedGrads = inputs.map { $0.grad!.array }
        _ = checkGradients(of: inputs, maxEntriesPerInput: 1) { t in
            projected(localReparameterizationComposed(t[0], affine: affine, weightMean: t[1], weightSigma: t[2], biasMean: t[3], biasSigma: t[4], noise: noise))
        }
        for (input, fusedGrad) in zip(inputs, fusedGrads) {
            for (a, b) in zip(input.grad!.array, fusedGrad) { #expect(Swift.abs(a - b) < 1e-3 * Swift.max(1, Swift.abs(b))) }
        }
    }

    @Test(arguments: Estimator.allCases)
    func convolutionLayerGradients(_ estimator: Estimator) {
        let layer = BayesConv2d(2, 3, kernelSize: 3, padding: 1, estimator: estimator,
                                initialization: .init(rhoMean: -1), generator: RandomGenerator(seed: 5))
        layer.sampling = .fixed(seed: 9)
        let x = sample([2, 2, 4, 4], seed: 3)
        let result = checkGradients(of: [x] + layer.parameters, maxEntriesPerInput: 24) { _ in projected(layer(x)) + layer.kl }
        #expect(result.passed, "\(estimator): \(result)")
        #expect(layer(x).shape == [2, 3, 4, 4])
    }

    @Test func flipoutAndLRTHaveTheMeanOfTheMeanNet() {
        // Averaged over many noise draws every estimator's output approaches conv(x, μ) + μ_b.
        for estimator in Estimator.allCases {
            let layer = BayesConv2d(1, 2, kernelSize: 3, estimator: estimator, initialization: .init(rhoMean: -2), generator: RandomGenerator(seed: 2))
            let x = sample([1, 1, 5, 5], seed: 4)
            layer.sampling = .mean
            let reference = withoutGradient { layer(x) }.array
            layer.sampling = .sample
            var total = [Float](repeating: 0, count: reference.count)
            let draws = 3000
            withoutGradient { for _ in 0..<draws { for (i, v) in layer(x).array.enumerated() { total[i] += v } } }
            for (t, r) in zip(total, reference) { #expect(Swift.abs(t / Float(draws) - r) < 0.05, "\(estimator)") }
        }
    }
}

/// `predict` stacks T copies of a batch; the first LRT layer computes their mean and variance once.
@Suite struct StackedCopiesTests {
    func outputs(_ x: Tensor, copies: Int) -> Tensor {
        let layer = BayesConv2d(2, 3, kernelSize: 3, padding: 1, estimator: .localReparameterization,
                                initialization: .init(rhoMean: -2), generator: RandomGenerator(seed: 4))
        layer.setSampling(.fixed(seed: 9))
        return withoutGradient { StackedCopies.$count.withValue(copies) { layer(x) } }
    }

    @Test func oneMeanAndVarianceForIdenticalCopiesGivesTheSameSamples() {
        let batch = Tensor.randomNormal([2, 2, 5, 5], generator: RandomGenerator(seed: 1))
        let stacked = concatenate([Tensor](repeating: batch, count: 4), axis: 0)
        let (shared, separate) = (outputs(stacked, copies: 4).array, outputs(stacked, copies: 1).array)
        #expect(zip(shared, separate).allSatisfy { Swift.abs($0 - $1) <= 1e-5 * Swift.max(1, Swift.abs($1)) })
        // Every copy still has its own noise.
        let perCopy = shared.count / 4
        #expect(shared[0..<perCopy] != shared[perCopy..<2 * perCopy])
    }

    @Test func copiesThatDifferAreComputedOneByOne() {
        let x = Tensor.randomNormal([4, 2, 5, 5], generator: RandomGenerator(seed: 2))
        #expect(outputs(x, copies: 2).array == outputs(x, copies: 1).array)
    }
}
