// BayesConv2d.swift — a 2-D convolution with a Gaussian posterior over its kernels
// (Shridhar et al. 2019, section 4: the Bayesian CNN's building block).

import Engine
import NN

public final class BayesConv2d: VariationalLayer {
    public let inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int, padding: Int

    /// - Parameters: as `BayesLinear`; the kernel is square, `kernelSize` × `kernelSize`.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                bias: Bool = true, prior: Prior = .reference, estimator: Estimator = .localReparameterization,
                klMethod: KLMethod = .closedForm, initialization: PosteriorInitialization = .reference,
                generator: RandomGenerator) {
        (self.inChannels, self.outChannels, self.kernelSize, self.stride, self.padding) =
            (inChannels, outChannels, kernelSize, stride, padding)
        super.init(weightShape: [outChannels, inChannels, kernelSize, kernelSize], biasShape: bias ? [outChannels] : nil,
                   prior: prior, estimator: estimator, klMethod: klMethod, initialization: initialization, generator: generator)
    }

    override public func affine(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding)
    }

    override public func localReparameterized(_ x: Tensor, weightSigma: Tensor, biasSigma: Tensor?,
                                              noise: ([Int]) -> Tensor) -> Tensor {
        let outputShape = [x.shape[0], outChannels,
                           (x.shape[2] + 2 * padding - kernelSize) / stride + 1,
                           (x.shape[3] + 2 * padding - kernelSize) / stride + 1]
        return localReparameterization(x, kernels: .convolution(stride: stride, padding: padding),
                                       weightMean: effectiveWeightMean, weightSigma: weightSigma,
                                       biasMean: bias?.mean, biasSigma: biasSigma, noise: noise(outputShape))
    }

    /// One sign per example and input channel, shared over positions (Wen et al. 2018, §3.1).
    override public func flipoutInputSignShape(_ x: Tensor) -> [Int] { [x.shape[0], x.shape[1], 1, 1] }
    override public func flipoutOutputSignShape(_ outputShape: [Int]) -> [Int] { [outputShape[0], outputShape[1], 1, 1] }
}
