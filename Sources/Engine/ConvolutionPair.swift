// ConvolutionPair.swift — the two convolutions of local reparameterization, which share one input.
//
//   mean      m = conv(x, μ) + μ_b
//   variance  v = conv(x², ν) + ν_b          (ν = σ², ν_b = σ_b²: the weights' variances)
//
// Every column of im2col(x²) is the square of the same column of im2col(x) (padding squares to 0),
// so one im2col serves both GEMMs: the columns are squared in place between them. Backward, with
// dm and dv the gradients of m and v:
//
//   dx = Wμᵀ ⋆ dm + 2x ⊙ (Wνᵀ ⋆ dv) = col2im(μᵀ·dm + 2·col ⊙ (νᵀ·dv))
//   dμ = Σ_chunks dm · colᵀ,          dν = Σ_chunks dv · (col ⊙ col)ᵀ
//
// (the 2x factor moves inside col2im because every column entry is a copy of one x entry, or a
// padding 0 whose sum col2im drops), so one im2col and one col2im per chunk serve all three, where
// two separate convolutions take two im2cols forward and two col2ims and two im2cols backward.
// Where the direct kernels are the faster path (LeNet's stride-1 maps) each of the two convolutions
// runs through them instead, as `conv2dForward` and its backward kernels would, with x² made once.
// The reference is the pair of single convolutions; tests compare the two.

/// m = conv(x, μ) + μ_b and v = conv(x ⊙ x, ν) + ν_b with one im2col per chunk (no autograd).
/// x [N, C, H, W], meanWeight and varianceWeight [OC, C, KH, KW], biases [OC] → two [N, OC, OH, OW].
public func conv2dMeanAndVariance(_ x: Tensor, meanWeight: Tensor, varianceWeight: Tensor,
                                  meanBias: Tensor?, varianceBias: Tensor?,
                                  stride: Int, padding: Int) -> (mean: Tensor, variance: Tensor) {
    let g = ConvolutionGeometry(input: x.shape, weight: meanWeight.shape, stride: stride, padding: padding,
                                caller: "conv2dMeanAndVariance")
    precondition(varianceWeight.shape == meanWeight.shape, "conv2dMeanAndVariance: weights \(meanWeight.shape) and \(varianceWeight.shape)")
    for bias in [meanBias, varianceBias] {
        if let bias { precondition(bias.shape == [g.outChannels], "conv2d: bias \(bias.shape) for \(g.outChannels) channels") }
    }
    if g.prefersDirectKernel {
        return (directConvolutionForward(x, weight: meanWeight, bias: meanBias, g),
                directConvolutionForward(squaredValues(x), weight: varianceWeight, bias: varianceBias, g))
    }
    let (mean, variance) = (Tensor(uninitializedShape: g.outputShape), Tensor(uninitializedShape: g.outputShape))
    let chunk = g.imagesPerChunk
    forEachBatchShare(g) { _, share in
        withScratch(g.patch * chunk * g.pixels) { col in
            withScratch(g.outChannels * chunk * g.pixels) { product in
                forEachChunk(of: share, g) { images in
                    let columns = images.count * g.pixels
                    im2col(x.data, g, images: images, into: col)
                    // m_chunk [OC, B·P] = μ [OC, CKK] · col [CKK, B·P]
                    gemm(m: g.outChannels, n: columns, k: g.patch, a: meanWeight.data, b: col, c: product)
                    scatterChunk(product, bias: meanBias.map { UnsafePointer($0.data) }, g, images: images, into: mean.data)
                    // v_chunk = ν · col(x²), and col(x²) = col ⊙ col
                    squareInPlace(col, count: g.patch * columns)
                    gemm(m: g.outChannels, n: columns, k: g.patch, a: varianceWeight.data, b: col, c: product)
                    scatterChunk(product, bias: varianceBias.map { UnsafePointer($0.data) }, g, images: images, into: variance.data)
                }
            }
        }
    }
    return (mean, variance)
}

/// The gradients of `conv2dMeanAndVariance` (see the file header), each only when asked for:
/// input dx = Wμᵀ ⋆ dm + 2x ⊙ (Wνᵀ ⋆ dv), meanWeight dμ = dm ⋆ x, varianceWeight dν = dv ⋆ x².
/// The bias gradients are `conv2dBackwardBias` of dm and dv.
public func conv2dMeanAndVarianceBackward(dMean: Tensor, dVariance: Tensor, input x: Tensor,
                                          meanWeight: Tensor, varianceWeight: Tensor, stride: Int, padding: Int,
                                          inputGradient: Bool, weightGradients: Bool)
    -> (input: Tensor?, meanWeight: Tensor?, varianceWeight: Tensor?) {
    let g = ConvolutionGeometry(input: x.shape, weight: meanWeight.shape, stride: stride, padding: padding,
                                caller: "conv2dMeanAndVarianceBackward")
    precondition(dMean.shape == g.outputShape && dVariance.shape == g.outputShape,
                 "conv2dMeanAndVarianceBackward: gradients \(dMean.shape), \(dVariance.shape), expected \(g.outputShape)")
    var result: (input: Tensor?, meanWeight: Tensor?, varianceWeight: Tensor?) = (nil, nil, nil)
    let directInput = inputGradient && g.directInputGradientGeometry != nil
    let directWeights = weightGradients && g.prefersDirectWeightGradient
    if directInput {
        // dx = Wμᵀ ⋆ dm + 2x ⊙ (Wνᵀ ⋆ dv), each term by the direct kernel.
        let dx = conv2dBackwardInput(dMean, weight: meanWeight, inputShape: x.shape, stride: stride, padding: padding)
        let dxVariance = conv2dBackwardInput(dVariance, weight: varianceWeight, inputShape: x.shape, stride: stride, padding: padding)
        addTwiceProduct(dx, x, dxVariance)
        result.input = dx
    }
    if directWeights {
        result.meanWeight = directWeightGradient(dMean, input: x, g)
        result.varianceWeight = directWeightGradient(dVariance, input: squaredValues(x), g)
    }
    let (byColumnsInput, byColumnsWeights) = (inputGradient && !directInput, weightGradients && !directWeights)
    if byColumnsInput || byColumnsWeights {
        let byColumns = meanAndVarianceBackwardByIm2col(dMean, dVariance, x, meanWeight, varianceWeight, g,
                                                        inputGradient: byColumnsInput, weightGradients: byColumnsWeights)
        if byColumnsInput { result.input = byColumns.input }
        if byColumnsWeights { (result.meanWeight, result.varianceWeight) = (byColumns.meanWeight, byColumns.varianceWeight) }
    }
    return result
}

/// The im2col path of `conv2dMeanAndVarianceBackward`: per chunk one im2col, then
///   d col = μᵀ·dm + 2·col ⊙ (νᵀ·dv) → col2im → dx,   dμ += dm·colᵀ,   col ← col ⊙ col,   dν += dv·colᵀ.
/// Each core sums its share of the batch into its own partial dμ and dν, added in worker order
/// afterwards (as `conv2dBackwardWeight`), so results are reproducible for a given core count.
private func meanAndVarianceBackwardByIm2col(_ dMean: Tensor, _ dVariance: Tensor, _ x: Tensor,
                                             _ meanWeight: Tensor, _ varianceWeight: Tensor, _ g: ConvolutionGeometry,
                                             inputGradient: Bool, weightGradients: Bool)
    -> (input: Tensor?, meanWeight: Tensor?, varianceWeight: Tensor?) {
    let dx = inputGradient ? Tensor(zeros: g.inputShape) : nil
    let (dMeanWeight, dVarianceWeight) = weightGradients ? (Tensor(zeros: g.weightShape), Tensor(zeros: g.weightShape)) : (nil, nil)
    let weightCount = meanWeight.count
    let chunk = g.imagesPerChunk
    let (colSize, matrixSize) = (g.patch * chunk * g.pixels, g.outChannels * chunk * g.pixels)
    let maxWorkers = Swift.min(kernelThreadCount, Swift.max(1, g.batch))
    withScratch(weightGradients ? 2 * (maxWorkers - 1) * weightCount : 0) { partials in
        let workers = forEachBatchShare(g) { worker, share in
            // Worker 0 sums straight into the results, the others into their own partials.
            let meanTarget = worker == 0 ? dMeanWeight?.data : partials + 2 * (worker - 1) * weightCount
            let varianceTarget = worker == 0 ? dVarianceWeight?.data : partials + (2 * (worker - 1) + 1) * weightCount
            withScratch((inputGradient ? 3 : 1) * colSize + 2 * matrixSize) { scratch in
                let (dm, dv, col) = (scratch, scratch + matrixSize, scratch + 2 * matrixSize)
                let (dcol, dcolVariance) = (col + colSize, col + 2 * colSize)
                var first = true
                forEachChunk(of: share, g) { images in
                    let (columns, colCount) = (images.count * g.pixels, g.patch * images.count * g.pixels)
                    im2col(x.data, g, images: images, into: col)
                    gatherChunk(dMean.data, g, images: images, into: dm)
                    gatherChunk(dVariance.data, g, images: images, into: dv)
                    if inputGradient {
                        // d col [CKK, B·P] = μᵀ · dm + 2·col ⊙ (νᵀ · dv)
                        gemm(transposeA: true, m: g.patch, n: columns, k: g.outChannels, a: meanWeight.data, b: dm, c: dcol)
                        gemm(transposeA: true, m: g.patch, n: columns, k: g.outChannels, a: varianceWeight.data, b: dv, c: dcolVariance)
                        addTwiceProduct(dcol, col, dcolVariance, count: colCount)
                        col2im(dcol, g, images: images, into: dx!.data)
                    }
                    if weightGradients {
                        // dμ [OC, CKK] += dm [OC, B·P] · colᵀ;  dν += dv · (col ⊙ col)ᵀ
                        gemm(transposeB: true, m: g.outChannels, n: g.patch, k: columns, a: dm, b: col,
                             beta: first ? 0 : 1, c: meanTarget!)
                        squareInPlace(col, count: colCount)
                        gemm(transposeB: true, m: g.outChannels, n: g.patch, k: columns, a: dv, b: col,
                             beta: first ? 0 : 1, c: varianceTarget!)
                    }
                    first = false
                }
                if weightGradients && first {                    // an empty share
                    meanTarget!.update(repeating: 0, count: weightCount)
                    varianceTarget!.update(repeating: 0, count: weightCount)
                }
            }
        }
        guard let dMeanWeight, let dVarianceWeight else { return }
        for worker in 1..<Swift.max(1, workers) {
            let (mean, variance) = (partials + 2 * (worker - 1) * weightCount, partials + (2 * (worker - 1) + 1) * weightCount)
            for i in 0..<weightCount {
                dMeanWeight.data[i] += mean[i]
                dVarianceWeight.data[i] += variance[i]
            }
        }
    }
    return (dx, dMeanWeight, dVarianceWeight)
}

// MARK: - Element-wise helpers (no autograd)

/// x ⊙ x as a new tensor.
func squaredValues(_ x: Tensor) -> Tensor {
    let out = Tensor(uninitializedShape: x.shape)
    let (source, target) = (x.data, out.data)
    parallelFor(x.count, costPerItem: 2) { range in
        for i in range { target[i] = source[i] * source[i] }
    }
    return out
}

/// values[i] ← values[i]², for i < count.
@inline(__always)
func squareInPlace(_ values: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { values[i] *= values[i] }
}

/// sum[i] += 2 · x[i] · term[i], for i < count: the variance path's 2x ⊙ (…) added to the mean path's.
@inline(__always)
func addTwiceProduct(_ sum: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ term: UnsafePointer<Float>, count: Int) {
    for i in 0..<count { sum[i] += 2 * x[i] * term[i] }
}

/// sum ← sum + 2 · x ⊙ term (tensors of one shape), split over the cores.
public func addTwiceProduct(_ sum: Tensor, _ x: Tensor, _ term: Tensor) {
    precondition(sum.shape == x.shape && term.shape == x.shape, "addTwiceProduct: \(sum.shape), \(x.shape), \(term.shape)")
    let (s, xs, t) = (sum.data, x.data, term.data)
    parallelFor(x.count, costPerItem: 3) { range in
        addTwiceProduct(s + range.lowerBound, xs + range.lowerBound, t + range.lowerBound, count: range.count)
    }
}
