// Softmax.swift — fused, numerically stable softmax and log-softmax along one axis.
//
// Both subtract the row maximum before exponentiating: softmax(x) = softmax(x − m), and
// with m = max x every exponent is ≤ 0, so nothing overflows even for logits of ±1e4.

import Foundation

/// Applies `body(rowStart, stride)` to every 1-D slice along `axis`.
@inline(__always)
func forEachSlice(_ shape: [Int], axis: Int, _ body: (Int, Int, Int) -> Void) {
    let (outer, size, inner) = splitAround(shape, axis: axis)
    for o in 0..<outer { for i in 0..<inner { body(o * size * inner + i, size, inner) } }
}

public func softmax(_ x: Tensor, axis: Int = -1) -> Tensor {
    let axis = x.normalisedAxes([axis])[0]
    let out = Tensor(uninitializedShape: x.shape)
    let (src, dst) = (x.data, out.data)
    forEachSlice(x.shape, axis: axis) { start, n, stride in
        var m = -Float.infinity
        for k in 0..<n { m = Swift.max(m, src[start + k * stride]) }
        var total: Float = 0
        for k in 0..<n { let e = Foundation.exp(src[start + k * stride] - m); dst[start + k * stride] = e; total += e }
        let inverse = 1 / total
        for k in 0..<n { dst[start + k * stride] *= inverse }
    }
    let y = out.detached()
    // With y = softmax(x): dx_i = y_i (g_i − Σ_j g_j y_j).
    return out.recordingGradient(of: [x]) { g in
        let dx = Tensor(uninitializedShape: x.shape)
        let (gp, yp, dp) = (g.data, y.data, dx.data)
        forEachSlice(x.shape, axis: axis) { start, n, stride in
            var dot: Float = 0
            for k in 0..<n { dot += gp[start + k * stride] * yp[start + k * stride] }
            for k in 0..<n { let j = start + k * stride; dp[j] = yp[j] * (gp[j] - dot) }
        }
        return [dx]
    }
}

public func logSoftmax(_ x: Tensor, axis: Int = -1) -> Tensor {
    let axis = x.normalisedAxes([axis])[0]
    let out = Tensor(uninitializedShape: x.shape)
    let (src, dst) = (x.data, out.data)
    forEachSlice(x.shape, axis: axis) { start, n, stride in
        var m = -Float.infinity
        for k in 0..<n { m = Swift.max(m, src[start + k * stride]) }
        var total: Float = 0
        for k in 0..<n { total += Foundation.exp(src[start + k * stride] - m) }
        let logTotal = m + Foundation.log(total)
        for k in 0..<n { dst[start + k * stride] = src[start + k * stride] - logTotal }
    }
    let y = out.detached()
    // With y = log softmax(x): dx_i = g_i − softmax_i Σ_j g_j, softmax_i = exp(y_i).
    return out.recordingGradient(of: [x]) { g in
        let dx = Tensor(uninitializedShape: x.shape)
        let (gp, yp, dp) = (g.data, y.data, dx.data)
        forEachSlice(x.shape, axis: axis) { start, n, stride in
            var total: Float = 0
            for k in 0..<n { total += gp[start + k * stride] }
            for k in 0..<n { let j = start + k * stride; dp[j] = gp[j] - Foundation.exp(yp[j]) * total }
        }
        return [dx]
    }
}
