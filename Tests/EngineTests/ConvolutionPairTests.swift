import Testing
import Engine

/// The fused mean-and-variance convolutions of local reparameterization against their reference:
/// two separate convolutions, m = conv(x, μ) + μ_b and v = conv(x², ν) + ν_b, and their backward
/// kernels, dx = Wμᵀ⋆dm + 2x ⊙ (Wνᵀ⋆dv), dμ = dm ⋆ x, dν = dv ⋆ x².
@Suite struct ConvolutionPairTests {
    /// (input, weight, stride, padding): LeNet's two layers (direct forward; direct or im2col weight
    /// gradient; direct input gradient), AlexNet's small maps (source-table im2col), a strided
    /// padded layer, each with batches large enough to split over the cores.
    static let cases: [([Int], [Int], Int, Int)] = [
        ([12, 1, 32, 32], [6, 1, 5, 5], 1, 0),
        ([12, 6, 14, 14], [16, 6, 5, 5], 1, 0),
        ([20, 16, 4, 4], [24, 16, 5, 5], 1, 2),
        ([20, 24, 2, 2], [32, 24, 3, 3], 1, 1),
        ([16, 3, 17, 15], [8, 3, 5, 5], 2, 2),
        ([2, 3, 6, 5], [4, 3, 3, 3], 2, 1),
    ]

    @Test(arguments: cases)
    func fusedPairMatchesTwoConvolutions(_ c: ([Int], [Int], Int, Int)) {
        let (inputShape, weightShape, stride, padding) = c
        let generator = RandomGenerator(seed: 11)
        let x = Tensor.randomNormal(inputShape, generator: generator)
        let mu = Tensor.randomNormal(weightShape, std: 0.2, generator: generator)
        let nu = withoutGradient { square(Tensor.randomNormal(weightShape, std: 0.1, generator: generator)) }
        let (muB, nuB) = (Tensor.randomNormal([weightShape[0]], generator: generator),
                          withoutGradient { square(Tensor.randomNormal([weightShape[0]], generator: generator)) })
        let xSquared = withoutGradient { square(x) }

        let (mean, variance) = conv2dMeanAndVariance(x, meanWeight: mu, varianceWeight: nu, meanBias: muB, varianceBias: nuB,
                                                     stride: stride, padding: padding)
        expectClose(mean, conv2dForward(x, weight: mu, bias: muB, stride: stride, padding: padding), "mean \(c)")
        expectClose(variance, conv2dForward(xSquared, weight: nu, bias: nuB, stride: stride, padding: padding), "variance \(c)")

        let dm = Tensor.randomNormal(mean.shape, generator: generator), dv = Tensor.randomNormal(mean.shape, generator: generator)
        let fused = conv2dMeanAndVarianceBackward(dMean: dm, dVariance: dv, input: x, meanWeight: mu, varianceWeight: nu,
                                                  stride: stride, padding: padding, inputGradient: true, weightGradients: true)
        let dxMean = conv2dBackwardInput(dm, weight: mu, inputShape: inputShape, stride: stride, padding: padding)
        let dxVariance = conv2dBackwardInput(dv, weight: nu, inputShape: inputShape, stride: stride, padding: padding)
        let dx = withoutGradient { dxMean + 2 * x * dxVariance }
        expectClose(fused.input!, dx, "dx \(c)")
        expectClose(fused.meanWeight!, conv2dBackwardWeight(dm, input: x, weightShape: weightShape, stride: stride, padding: padding),
                    tolerance: 1e-3, "dμ \(c)")
        expectClose(fused.varianceWeight!, conv2dBackwardWeight(dv, input: xSquared, weightShape: weightShape, stride: stride, padding: padding),
                    tolerance: 1e-3, "dν \(c)")

        // Asked for one kind of gradient only, the pair computes the same values and nothing else.
        let inputOnly = conv2dMeanAndVarianceBackward(dMean: dm, dVariance: dv, input: x, meanWeight: mu, varianceWeight: nu,
                                                      stride: stride, padding: padding, inputGradient: true, weightGradients: false)
        #expect(inputOnly.input!.array == fused.input!.array && inputOnly.meanWeight == nil && inputOnly.varianceWeight == nil)
        let weightsOnly = conv2dMeanAndVarianceBackward(dMean: dm, dVariance: dv, input: x, meanWeight: mu, varianceWeight: nu,
                                                        stride: stride, padding: padding, inputGradient: false, weightGradients: true)
        #expect(weightsOnly.input == nil && weightsOnly.meanWeight!.array == fused.meanWeight!.array
                && weightsOnly.varianceWeight!.array == fused.varianceWeight!.array)
    }
}
