// Dropout.swift — inverted dropout (Srivastava et al. 2014), as PyTorch's `F.dropout` in training.
//
// Contract: x of any shape → y of the same shape, y = x · mask, where each mask entry is
// independently 0 with probability p and 1/(1 − p) otherwise ("inverted": the surviving units are
// scaled up during training so that E[y] = x and evaluation needs no rescaling). The mask draws one
// uniform number per element, in order, from the given generator: the same seed gives the same mask.
// Call it only in training; in evaluation the layer is the identity and should not call this at all.

/// Inverted dropout with autograd. x [any shape] → same shape.
/// - Parameters:
///   - probability: p, the chance that a unit is zeroed, in [0, 1]. p = 0 returns x itself.
///   - generator: the run's random stream; consumes one draw per element of x.
public func dropout(_ x: Tensor, probability p: Float, generator: RandomGenerator) -> Tensor {
    precondition(p >= 0 && p <= 1, "dropout: probability \(p) outside [0, 1]")
    if p == 0 { return x }
    // mask[i] = 1[u_i ≥ p] / (1 − p), u_i uniform in [0, 1); at p = 1 every unit is dropped.
    let mask = Tensor(uninitializedShape: x.shape)
    let keptScale: Float = p < 1 ? 1 / (1 - p) : 0
    let m = mask.data
    for i in 0..<x.count { m[i] = generator.uniform() < p ? 0 : keptScale }
    let y = Tensor(uninitializedShape: x.shape)
    let (src, dst) = (x.data, y.data)
    for i in 0..<x.count { dst[i] = src[i] * m[i] }
    // forward: y = x · mask (mask a constant), so dx = dy · mask: only kept units pass gradient.
    return y.recordingGradient(of: [x]) { dy in
        let dx = Tensor(uninitializedShape: dy.shape)
        let (g, d, kept) = (dy.data, dx.data, mask.data)  // the closure keeps `mask` alive
        for i in 0..<dx.count { d[i] = g[i] * kept[i] }
        return [dx]
    }
}
