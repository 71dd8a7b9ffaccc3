// PixelShuffle.swift — the sub-pixel rearrangement of ESPCN (Shi et al. 2016), PyTorch's `F.pixel_shuffle`.
//
// Contract: x [N, C·r², H, W] → y [N, C, H·r, W·r], moving each group of r² channels into an r×r block:
//   y[n, c, h·r + i, w·r + j] = x[n, c·r² + i·r + j, h, w],   i, j < r.
// A pure permutation of values, so its derivative is the inverse permutation of the gradient.
//
// Shape legend: N batch, C output channels, H×W input, r upscale factor.

/// Moves x[n, c·r² + i·r + j, h, w] to y[n, c, h·r + i, w·r + j] (reads and writes run in lockstep,
/// `toShuffled` picks the direction: true shuffles x → y, false gathers y → x).
private func permutePixels(_ source: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>,
                           planes: Int, r: Int, height: Int, width: Int, toShuffled: Bool) {
    let (outWidth, block) = (width * r, height * width * r * r)
    parallelFor(planes, costPerItem: block) { range in
        for plane in range {  // plane = n·C + c: one output channel with its r² input channels
            let (shuffled, grouped) = (plane * block, plane * block)
            for i in 0..<r {
                for j in 0..<r {
                    let channel = grouped + (i * r + j) * height * width
                    for h in 0..<height {
                        let inRow = channel + h * width
                        let outRow = shuffled + (h * r + i) * outWidth + j
                        if toShuffled {
                            for w in 0..<width { target[outRow + w * r] = source[inRow + w] }
                        } else {
                            for w in 0..<width { target[inRow + w] = source[outRow + w * r] }
                        }
                    }
                }
            }
        }
    }
}

/// Pixel shuffle with autograd: [N, C·r², H, W] → [N, C, H·r, W·r] in PyTorch's channel order.
public func pixelShuffle(_ x: Tensor, upscale r: Int) -> Tensor {
    precondition(x.rank == 4 && r >= 1 && x.shape[1] % (r * r) == 0,
                 "pixelShuffle: input \(x.shape) must be [N, C·r², H, W] for r = \(r)")
    let (n, c, h, w) = (x.shape[0], x.shape[1] / (r * r), x.shape[2], x.shape[3])
    let y = Tensor(uninitializedShape: [n, c, h * r, w * r])
    permutePixels(x.data, y.data, planes: n * c, r: r, height: h, width: w, toShuffled: true)
    // forward: y = P x for a permutation P, so dx = Pᵀ dy = P⁻¹ dy (the gather back).
    return y.recordingGradient(of: [x]) { dy in
        let dx = Tensor(uninitializedShape: [n, c * r * r, h, w])
        permutePixels(dy.data, dx.data, planes: n * c, r: r, height: h, width: w, toShuffled: false)
        return [dx]
    }
}
