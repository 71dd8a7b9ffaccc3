// ConvolutionLayers.swift — convolution, pooling, normalisation, dropout and sub-pixel layers
// as modules over the Engine's image kernels.
//
// Contract: PyTorch's layouts and defaults (Conv2d weight [OC, C, K, K], ConvTranspose2d
// weight [C, OC, K, K], Kaiming-uniform(a = √5) initialisation, batch-norm momentum 0.1 and
// ε 1e-5), so checkpoints carry over. Kernels are square and padding is symmetric, which is
// all the paper's networks use.
//
// Shapes: N batch, C input channels, OC output channels, H×W spatial, K kernel size.

import Engine

/// 2-D convolution (cross-correlation): [N, C, H, W] → [N, OC, H', W'] with
/// H' = ⌊(H + 2·padding − K) / stride⌋ + 1 (and W' alike).
public final class Conv2d: Module {
    /// [OC, C, K, K]
    public let weight: Tensor
    /// [OC], or nil.
    public let bias: Tensor?
    public let stride: Int
    public let padding: Int

    /// A layer over the given tensors (used as they are, marked `requiresGrad`).
    /// - Parameters:
    ///   - weight: [OC, C, K, K].
    ///   - bias: [OC] or nil.
    ///   - stride: step between applications (default 1).
    ///   - padding: zeros added on every side (default 0).
    public init(weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0) {
        precondition(weight.rank == 4 && weight.shape[2] == weight.shape[3],
                     "Conv2d weight must be [OC, C, K, K], got \(weight.shape)")
        precondition(bias == nil || bias!.shape == [weight.shape[0]], "Conv2d bias \(bias!.shape) for weight \(weight.shape)")
        precondition(stride > 0 && padding >= 0, "Conv2d: stride \(stride), padding \(padding)")
        weight.requiresGrad = true
        bias?.requiresGrad = true
        self.weight = weight
        self.bias = bias
        self.stride = stride
        self.padding = padding
    }

    /// A layer with PyTorch's default initialisation: W, b ~ U(−1/√(C·K²), 1/√(C·K²)).
    /// - Parameters:
    ///   - inChannels: C.
    ///   - outChannels: OC.
    ///   - kernelSize: K.
    ///   - stride: default 1.
    ///   - padding: default 0.
    ///   - bias: default true.
    ///   - generator: the random stream the weights are drawn from.
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                            bias: Bool = true, generator: RandomGenerator) {
        let (w, b) = defaultLayerInitialization(weightShape: [outChannels, inChannels, kernelSize, kernelSize],
                                                biasCount: bias ? outChannels : nil, generator: generator)
        self.init(weight: w, bias: b, stride: stride, padding: padding)
    }

    public var inChannels: Int { weight.shape[1] }
    public var outChannels: Int { weight.shape[0] }
    public var kernelSize: Int { weight.shape[2] }

    override public func forward(_ x: Tensor) -> Tensor {
        conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding)
    }
}

/// Transposed convolution (the adjoint of `Conv2d`, "deconvolution"): [N, C, H, W] →
/// [N, OC, H', W'] with H' = (H − 1)·stride − 2·padding + K + outputPadding.
public final class ConvTranspose2d: Module {
    /// [C, OC, K, K] (PyTorch's layout: input channels first).
    public let weight: Tensor
    /// [OC], or nil.
    public let bias: Tensor?
    public let stride: Int
    public let padding: Int
    public let outputPadding: Int

    /// A layer over the given tensors (used as they are, marked `requiresGrad`).
    /// - Parameters:
    ///   - weight: [C, OC, K, K].
    ///   - bias: [OC] or nil.
    ///   - stride: default 1.
    ///   - padding: removed from every side of the output (default 0).
    ///   - outputPadding: extra rows/columns added at the bottom/right to pick among the
    ///     output sizes a strided convolution maps to the same input size (default 0, < stride).
    public init(weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0, outputPadding: Int = 0) {
        precondition(weight.rank == 4 && weight.shape[2] == weight.shape[3],
                     "ConvTranspose2d weight must be [C, OC, K, K], got \(weight.shape)")
        precondition(bias == nil || bias!.shape == [weight.shape[1]],
                     "ConvTranspose2d bias \(bias!.shape) for weight \(weight.shape)")
        precondition(stride > 0 && padding >= 0 && outputPadding >= 0 && outputPadding < stride,
                     "ConvTranspose2d: stride \(stride), padding \(padding), outputPadding \(outputPadding)")
        weight.requiresGrad = true
        bias?.requiresGrad = true
        self.weight = weight
        self.bias = bias
        self.stride = stride
        self.padding = padding
        self.outputPadding = outputPadding
    }

    /// A layer with PyTorch's default initialisation. PyTorch computes the fan from the
    /// [C, OC, K, K] weight as OC·K², so W, b ~ U(−1/√(OC·K²), 1/√(OC·K²)); kept for parity.
    /// - Parameters:
    ///   - inChannels: C.
    ///   - outChannels: OC.
    ///   - kernelSize: K.
    ///   - stride, padding, outputPadding: as in the primitive initialiser.
    ///   - bias: default true.
    ///   - generator: the random stream the weights are drawn from.
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                            outputPadding: Int = 0, bias: Bool = true, generator: RandomGenerator) {
        let (w, b) = defaultLayerInitialization(weightShape: [inChannels, outChannels, kernelSize, kernelSize],
                                                biasCount: bias ? outChannels : nil, generator: generator)
        self.init(weight: w, bias: b, stride: stride, padding: padding, outputPadding: outputPadding)
    }

    public var inChannels: Int { weight.shape[0] }
    public var outChannels: Int { weight.shape[1] }
    public var kernelSize: Int { weight.shape[2] }

    override public func forward(_ x: Tensor) -> Tensor {
        convTranspose2d(x, weight: weight, bias: bias, stride: stride, padding: padding, outputPadding: outputPadding)
    }
}

/// Max pooling over K×K windows: [N, C, H, W] → [N, C, H', W'], H' = ⌊(H + 2·padding − K) / stride⌋ + 1.
public final class MaxPool2d: Module {
    public let kernelSize: Int
    public let stride: Int
    public let padding: Int

    /// - Parameters:
    ///   - kernelSize: K.
    ///   - stride: default K (non-overlapping windows), as in PyTorch.
    ///   - padding: implicit −∞ padding on every side (default 0).
    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
    }

    override public func forward(_ x: Tensor) -> Tensor {
        maxPool2d(x, kernel: kernelSize, stride: stride, padding: padding)
    }
}

/// Average pooling over K×K windows: [N, C, H, W] → [N, C, ⌊(H − K) / stride⌋ + 1, …].
public final class AvgPool2d: Module {
    public let kernelSize: Int
    public let stride: Int

    /// - Parameters:
    ///   - kernelSize: K.
    ///   - stride: default K (non-overlapping windows), as in PyTorch.
    public init(kernelSize: Int, stride: Int? = nil) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
    }

    override public func forward(_ x: Tensor) -> Tensor {
        avgPool2d(x, kernel: kernelSize, stride: stride)
    }
}

/// Batch normalisation per channel (Ioffe & Szegedy 2015): y = γ·(x − μ)/√(σ² + ε) + β, with μ,
/// σ² the batch statistics in training (and the running averages updated with `momentum`) and
/// the running averages in evaluation.
public final class BatchNorm2d: Module {
    /// γ [C], starts at 1.
    public let weight: Tensor
    /// β [C], starts at 0.
    public let bias: Tensor
    /// Running mean [C] (a buffer), starts at 0.
    public let runningMean: Tensor
    /// Running (unbiased) variance [C] (a buffer), starts at 1.
    public let runningVariance: Tensor
    public let momentum: Float
    public let epsilon: Float

    /// A layer over the given tensors (γ, β marked `requiresGrad`; the running statistics not).
    public init(weight: Tensor, bias: Tensor, runningMean: Tensor, runningVariance: Tensor,
                momentum: Float = 0.1, epsilon: Float = 1e-5) {
        let c = weight.shape
        precondition(c.count == 1 && bias.shape == c && runningMean.shape == c && runningVariance.shape == c,
                     "BatchNorm2d: tensors of shape [C] expected")
        weight.requiresGrad = true
        bias.requiresGrad = true
        runningMean.requiresGrad = false
        runningVariance.requiresGrad = false
        self.weight = weight
        self.bias = bias
        self.runningMean = runningMean
        self.runningVariance = runningVariance
        self.momentum = momentum
        self.epsilon = epsilon
    }

    /// A fresh layer: γ = 1, β = 0, running mean 0, running variance 1 (as PyTorch).
    /// - Parameters:
    ///   - channels: C.
    ///   - momentum: weight of the newest batch in the running averages (default 0.1).
    ///   - epsilon: ε (default 1e-5).
    public convenience init(_ channels: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
        self.init(weight: Tensor(shape: [channels], repeating: 1), bias: Tensor(zeros: [channels]),
                  runningMean: Tensor(zeros: [channels]), runningVariance: Tensor(shape: [channels], repeating: 1),
                  momentum: momentum, epsilon: epsilon)
    }

    override public func forward(_ x: Tensor) -> Tensor {
        batchNorm2d(x, gamma: weight, beta: bias, runningMean: runningMean, runningVariance: runningVariance,
                    training: isTraining, momentum: momentum, epsilon: epsilon)
    }
}

/// Inverted dropout: in training each unit is zeroed with probability p and the rest scaled by
/// 1/(1 − p); in evaluation the identity.
public final class Dropout: Module {
    public let probability: Float
    /// The stream the masks are drawn from (give the layer its own `split()` of the run's stream).
    public let generator: RandomGenerator

    /// - Parameters:
    ///   - probability: p, the chance a unit is dropped (PyTorch's default 0.5).
    ///   - generator: the random stream for the masks.
    public init(probability: Float = 0.5, generator: RandomGenerator) {
        precondition(probability >= 0 && probability <= 1, "Dropout probability \(probability) outside [0, 1]")
        self.probability = probability
        self.generator = generator
    }

    override public func forward(_ x: Tensor) -> Tensor {
        isTraining ? dropout(x, probability: probability, generator: generator) : x
    }
}

/// Sub-pixel rearrangement (Shi et al. 2016): [N, C·r², H, W] → [N, C, H·r, W·r].
public final class PixelShuffle: Module {
    public let upscale: Int

    /// - Parameter upscale: r, the factor by which height and width grow.
    public init(upscale: Int) {
        precondition(upscale > 0, "PixelShuffle upscale must be positive")
        self.upscale = upscale
    }

    override public func forward(_ x: Tensor) -> Tensor { pixelShuffle(x, upscale: upscale) }
}
