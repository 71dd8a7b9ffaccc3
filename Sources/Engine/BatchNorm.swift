// BatchNorm.swift — batch normalisation over the channel axis (Ioffe & Szegedy 2015), PyTorch semantics.
//
// Contract: x [N, C, H, W] (or any [N, C, …]; [N, C] is BatchNorm1d), gamma, beta, running buffers [C].
// Per channel c, over the M = N·H·W values of that channel:
//   training: μ = mean, σ² = biased variance (÷ M) of the batch;
//             runningMean ← (1 − m)·runningMean + m·μ,  runningVariance ← (1 − m)·runningVariance + m·σ²·M/(M − 1)
//             (the running estimate uses the unbiased variance, the normalisation the biased one, as PyTorch);
//   eval:     μ, σ² = the running buffers, which are left untouched.
//   y = gamma · x̂ + beta,  x̂ = (x − μ) / √(σ² + ε).
// Gradients flow to x, gamma and beta; in training also through μ and σ² (they depend on x).
// Sums run in a fixed order per channel (partial sums in Float per row, Double across rows), and
// channels are split over the cores, so results are reproducible.
//
// Shape legend: N batch, C channels, H×W spatial (S = H·W values per row), M = N·S values per channel.

/// Σ (a[i] − shift)·(b[i] − shiftB) over `count` values, vectorised with 16 partial sums.
@inline(__always)
private func centeredDot(_ a: UnsafePointer<Float>, _ shiftA: Float, _ b: UnsafePointer<Float>, _ shiftB: Float,
                         count: Int) -> Float {
    var partial = SIMD16<Float>()
    let (rawA, rawB) = (UnsafeRawPointer(a), UnsafeRawPointer(b))
    let (sa, sb) = (SIMD16<Float>(repeating: shiftA), SIMD16<Float>(repeating: shiftB))
    var i = 0
    while i + 16 <= count {
        let va = rawA.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) - sa
        let vb = rawB.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) - sb
        partial = partial.addingProduct(va, vb)
        i += 16
    }
    var total = partial.sum()
    while i < count { total += (a[i] - shiftA) * (b[i] - shiftB); i += 1 }
    return total
}

/// Batch normalisation with autograd, PyTorch's `F.batch_norm` (see the file header).
/// - Parameters:
///   - x: [N, C, H, W] (or [N, C, …]).
///   - gamma, beta: the per-channel scale and shift [C].
///   - runningMean, runningVariance: [C] buffers; updated in place when `training`.
///   - training: true normalises by batch statistics, false by the running ones.
///   - momentum: weight m of the newest batch in the running averages (PyTorch's default 0.1).
///   - epsilon: ε added to the variance before the square root.
public func batchNorm2d(_ x: Tensor, gamma: Tensor, beta: Tensor, runningMean: Tensor, runningVariance: Tensor,
                        training: Bool, momentum: Float = 0.1, epsilon: Float = 1e-5) -> Tensor {
    precondition(x.rank >= 2, "batchNorm2d: input must be [N, C, …], got \(x.shape)")
    let (n, c) = (x.shape[0], x.shape[1])
    let rowLength = x.shape.dropFirst(2).reduce(1, *)  // S
    let perChannel = n * rowLength  // M
    for (name, t) in [("gamma", gamma), ("beta", beta), ("runningMean", runningMean), ("runningVariance", runningVariance)] {
        precondition(t.shape == [c], "batchNorm2d: \(name) \(t.shape) for \(c) channels")
    }
    precondition(!training || perChannel > 1, "batchNorm2d: training needs more than one value per channel, got \(x.shape)")

    // Per-channel statistics used to normalise, and the resulting affine map y = a·x + b.
    var means = [Float](repeating: 0, count: c), inverseStds = [Float](repeating: 0, count: c)
    let y = Tensor(uninitializedShape: x.shape)
    let (src, dst, g, bt) = (x.data, y.data, gamma.data, beta.data)
    let (rm, rv) = (runningMean.data, runningVariance.data)
    means.withUnsafeMutableBufferPointer { meanBuffer in
        inverseStds.withUnsafeMutableBufferPointer { inverseStdBuffer in
            let (mu, inverseStd) = (meanBuffer.baseAddress!, inverseStdBuffer.baseAddress!)
            parallelFor(c, costPerItem: 4 * perChannel) { channels in
                for channel in channels {
                    let row = { (image: Int) in src + (image * c + channel) * rowLength }
                    var mean: Float, variance: Float
                    if training {
                        // Two passes (mean, then squared deviations): no cancellation of large means.
                        var total: Double = 0
                        for image in 0..<n { total += Double(sumOfValues(row(image), count: rowLength)) }
                        mean = Float(total / Double(perChannel))
                        var squares: Double = 0
                        for image in 0..<n { squares += Double(centeredDot(row(image), mean, row(image), mean, count: rowLength)) }
                        variance = Float(squares / Double(perChannel))
                        rm[channel] = (1 - momentum) * rm[channel] + momentum * mean
                        rv[channel] = (1 - momentum) * rv[channel]
                            + momentum * variance * Float(perChannel) / Float(perChannel - 1)
                    } else {
                        (mean, variance) = (rm[channel], rv[channel])
                    }
                    mu[channel] = mean
                    inverseStd[channel] = 1 / (variance + epsilon).squareRoot()
                    // y = gamma (x − μ)/√(σ² + ε) + beta = a x + b
                    let a = g[channel] * inverseStd[channel]
                    let b = bt[channel] - mean * a
                    for image in 0..<n {
                        let (input, output) = (row(image), dst + (image * c + channel) * rowLength)
                        for q in 0..<rowLength { output[q] = a * input[q] + b }
                    }
                }
            }
        }
    }

    let (xv, gammaView) = (x.detached(), gamma.detached())
    let (statisticMeans, statisticInverseStds) = (means, inverseStds)
    // forward: y = γ x̂ + β with x̂ = (x − μ)·r, r = 1/√(σ² + ε), so
    //   dβ = Σ dy,   dγ = Σ dy·x̂,   dx̂ = γ dy.
    // Training (μ = Σx/M, σ² = Σ(x − μ)²/M depend on x; differentiating x̂ through them):
    //   dx = γ r (dy − dβ/M − x̂ dγ/M).
    // Eval (μ, σ² are constants):  dx = γ r dy.
    return y.recordingGradient(of: [x, gamma, beta]) { dy in
        let dx = x.needsGradient ? Tensor(uninitializedShape: xv.shape) : nil
        let dGamma = Tensor(uninitializedShape: [c]), dBeta = Tensor(uninitializedShape: [c])
        let (gradient, input, dg, db, gammaValues) = (dy.data, xv.data, dGamma.data, dBeta.data, gammaView.data)
        let dxData = dx?.data
        statisticMeans.withUnsafeBufferPointer { meanBuffer in
            statisticInverseStds.withUnsafeBufferPointer { inverseStdBuffer in
                let (mu, inverseStd) = (meanBuffer.baseAddress!, inverseStdBuffer.baseAddress!)
                parallelFor(c, costPerItem: 4 * perChannel) { channels in
                    for channel in channels {
                        let offset = { (image: Int) in (image * c + channel) * rowLength }
                        let (mean, r) = (mu[channel], inverseStd[channel])
                        var sumDy: Double = 0, sumDyCentered: Double = 0
                        for image in 0..<n {
                            let (gy, xi) = (gradient + offset(image), input + offset(image))
                            sumDy += Double(sumOfValues(gy, count: rowLength))
                            sumDyCentered += Double(centeredDot(gy, 0, xi, mean, count: rowLength))
                        }
                        db[channel] = Float(sumDy)
                        dg[channel] = Float(sumDyCentered) * r  // Σ dy·x̂ = r Σ dy (x − μ)
                        guard let dxData else { continue }
                        // dx = A dy + B x + K, the formulas above expanded with x̂ = (x − μ) r.
                        let scale = gammaValues[channel] * r
                        let a = scale
                        var (b, k): (Float, Float) = (0, 0)
                        if training {
                            let m = Float(perChannel)
                            b = -scale * r * dg[channel] / m
                            k = -scale * db[channel] / m - b * mean
                        }
                        for image in 0..<n {
                            let (gy, xi, out) = (gradient + offset(image), input + offset(image), dxData + offset(image))
                            for q in 0..<rowLength { out[q] = a * gy[q] + b * xi[q] + k }
                        }
                    }
                }
            }
        }
        return [dx, gamma.needsGradient ? dGamma : nil, beta.needsGradient ? dBeta : nil]
    }
}
