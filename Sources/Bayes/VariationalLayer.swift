// VariationalLayer.swift — what BayesLinear and BayesConv2d share: a Gaussian posterior over
// the weights (and bias), a prior, an estimator, and the KL term of the last forward pass.
//
// A subclass supplies only its affine map (a matrix product or a convolution), the fused
// local-reparameterization op for it, and the shapes of Flipout's sign vectors.

import Foundation
import Engine
import NN

open class VariationalLayer: Module, BayesianLayer {
    /// q(W) = N(μ_W, σ_W²).
    public let weight: GaussianPosterior
    /// q(b) = N(μ_b, σ_b²), or nil for a layer without bias.
    public let bias: GaussianPosterior?
    public let prior: Prior
    public let estimator: Estimator
    public var klMethod: KLMethod
    public var sampling: SamplingMode = .sample
    /// Pruning mask of the weights, 1 kept and 0 removed (Pruning.swift), or nil when nothing is
    /// pruned. A buffer: saved in checkpoints whenever it is set.
    public var weightMask: Tensor?
    let noise: NoiseSource
    var lastKL = Transient<Tensor>()

    public init(weightShape: [Int], biasShape: [Int]?, prior: Prior, estimator: Estimator, klMethod: KLMethod,
                initialization: PosteriorInitialization, generator: RandomGenerator) {
        weight = GaussianPosterior(shape: weightShape, initialization: initialization, generator: generator)
        bias = biasShape.map { GaussianPosterior(shape: $0, initialization: initialization, generator: generator) }
        self.prior = prior
        self.estimator = estimator
        self.klMethod = klMethod
        noise = NoiseSource(generator: generator, salt: generator.next())
    }

    // MARK: What a subclass provides

    /// The deterministic map with given weights: x Wᵀ + b, or conv(x, W) + b.
    open func affine(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor { fatalError("affine not implemented") }
    /// The fused local-reparameterization op for this layer type.
    open func localReparameterized(_ x: Tensor, weightSigma: Tensor, biasSigma: Tensor?, noise: (_ shape: [Int]) -> Tensor) -> Tensor {
        fatalError("local reparameterization not implemented")
    }
    /// Shape of Flipout's input signs for input x (one sign per example and input unit/channel).
    open func flipoutInputSignShape(_ x: Tensor) -> [Int] { fatalError("flipout not implemented") }
    /// Shape of Flipout's output signs for an output of shape `outputShape`.
    open func flipoutOutputSignShape(_ outputShape: [Int]) -> [Int] { fatalError("flipout not implemented") }

    // MARK: Forward

    /// μ_W as every forward path uses it: μ ⊙ m under a pruning mask m, so removed weights are
    /// exactly 0 and get no gradient (d μ = d(μ ⊙ m) ⊙ m).
    public var effectiveWeightMean: Tensor { weightMask.map { weight.mean * $0 } ?? weight.mean }
    /// σ_W as every forward path uses it: σ ⊙ m, so removed weights carry no noise either.
    public var effectiveWeightSigma: Tensor { weightMask.map { weight.sigma * $0 } ?? weight.sigma }

    override open func forward(_ x: Tensor) -> Tensor {
        let generator = noise.generator(for: sampling)
        var weightSample: Tensor? = nil, biasSample: Tensor? = nil
        let out: Tensor
        switch (sampling, estimator) {
        case (.mean, _):
            out = affine(x, weight: effectiveWeightMean, bias: bias?.mean)
        case (_, .weightSampling):
            // Bayes by Backprop: W = μ + σ ⊙ ε, one sample for the whole minibatch.
            weightSample = effectiveWeightMean + effectiveWeightSigma * standardNormal(weight.shape, generator)
            biasSample = bias.map { $0.sample(noise: standardNormal($0.shape, generator)) }
            out = affine(x, weight: weightSample!, bias: biasSample)
        case (_, .localReparameterization):
            out = localReparameterized(x, weightSigma: effectiveWeightSigma, biasSigma: bias?.sigma) { standardNormal($0, generator) }
        case (_, .flipout):
            out = flipout(x, generator)
        }
        // The KL term is needed only when training; in evaluation `kl` computes it on demand.
        lastKL.value = GradientMode.isRecording
            ? klDivergence(weightSample: weightSample, biasSample: biasSample, generator: generator) : nil
        return out
    }

    /// Flipout (Wen et al. 2018): a shared perturbation ΔW = σ ⊙ E, made different for every
    /// example n by random signs: ΔW_n = ΔW ⊙ r_n s_nᵀ, so that
    ///     out_n = affine(x_n, μ) + b + (affine(x_n ⊙ s_n, ΔW)) ⊙ r_n.
    func flipout(_ x: Tensor, _ generator: RandomGenerator) -> Tensor {
        let perturbation = effectiveWeightSigma * standardNormal(weight.shape, generator)
        let biasSample = bias.map { $0.sample(noise: standardNormal($0.shape, generator)) }
        let mean = affine(x, weight: effectiveWeightMean, bias: biasSample)
        let inputSigns = randomSigns(flipoutInputSignShape(x), generator)
        let flipped = affine(x * inputSigns, weight: perturbation, bias: nil)
        let outputSigns = randomSigns(flipoutOutputSignShape(flipped.shape), generator)
        return mean + flipped * outputSigns
    }

    /// Σ KL(q ‖ p) over weight and bias: closed form, or Monte Carlo at the forward pass's
    /// weight sample (a fresh sample when the estimator never forms one).
    func klDivergence(weightSample: Tensor?, biasSample: Tensor?, generator: RandomGenerator) -> Tensor {
        let weightKL = weightMask.map { prunedWeightKL(mask: $0, sample: weightSample, generator: generator) }
            ?? weight.kl(prior: prior, method: klMethod, sample: weightSample, generator: generator)
        guard let bias else { return weightKL }
        return weightKL + bias.kl(prior: prior, method: klMethod, sample: biasSample, generator: generator)
    }

    /// KL(q ‖ p) from the last training forward pass, or computed now (closed form where possible).
    public var layerKL: Tensor? {
        lastKL.value ?? klDivergence(weightSample: nil, biasSample: nil, generator: noise.generator)
    }
}
