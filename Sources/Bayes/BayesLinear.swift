// BayesLinear.swift — a fully connected layer with a Gaussian posterior over its weights.

import Engine
import NN

public final class BayesLinear: VariationalLayer {
    public let inFeatures: Int, outFeatures: Int
    /// Bayes by Backprop only: a separate weight sample for every example in the batch (costly:
    /// a weight tensor per example; meant for small layers and toy problems).
    public var weightSamplePerExample = false

    /// - Parameters:
    ///   - prior: p(w); default N(0, 0.1²) as in the reference implementation.
    ///   - estimator: how outputs are sampled (default: local reparameterization).
    ///   - klMethod: closed form (default) or Monte Carlo.
    ///   - initialization: how μ and ρ start (default μ ~ N(0, 0.1²), ρ ~ N(−5, 0.1²)).
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, prior: Prior = .reference,
                estimator: Estimator = .localReparameterization, klMethod: KLMethod = .closedForm,
                initialization: PosteriorInitialization = .reference, generator: RandomGenerator) {
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        super.init(weightShape: [outFeatures, inFeatures], biasShape: bias ? [outFeatures] : nil, prior: prior,
                   estimator: estimator, klMethod: klMethod, initialization: initialization, generator: generator)
    }

    override public func affine(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        linear(x, weight: weight, bias: bias)
    }

    override public func localReparameterized(_ x: Tensor, weightSigma: Tensor, biasSigma: Tensor?,
                                              noise: ([Int]) -> Tensor) -> Tensor {
        localReparameterization(x, kernels: .linear, weightMean: effectiveWeightMean, weightSigma: weightSigma,
                                biasMean: bias?.mean, biasSigma: biasSigma, noise: noise([x.shape[0], outFeatures]))
    }

    override public func flipoutInputSignShape(_ x: Tensor) -> [Int] { x.shape }
    override public func flipoutOutputSignShape(_ outputShape: [Int]) -> [Int] { outputShape }

    override public func forward(_ x: Tensor) -> Tensor {
        guard weightSamplePerExample, estimator == .weightSampling, sampling != .mean else { return super.forward(x) }
        // out_n = W_n x_n + b_n with W_n = μ + σ ⊙ ε_n drawn for each example n.
        let n = x.shape[0]
        let generator = noise.generator(for: sampling)
        let weights = effectiveWeightMean + effectiveWeightSigma * standardNormal([n, outFeatures, inFeatures], generator)
        var out = sum(x.reshaped([n, 1, inFeatures]) * weights, axes: [2])
        if let bias { out = out + (bias.mean + bias.sigma * standardNormal([n, outFeatures], generator)) }
        lastKL.value = GradientMode.isRecording ? klDivergence(weightSample: nil, biasSample: nil, generator: generator) : nil
        return out
    }
}
