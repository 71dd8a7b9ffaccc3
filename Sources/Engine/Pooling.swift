// Pooling.swift — max and average pooling over square windows, PyTorch semantics.
//
// Contract: x [N, C, H, W] → y [N, C, OH, OW] with OH = ⌊(H + 2·padding − K) / stride⌋ + 1
// (floor mode: a partial window at the bottom/right edge is dropped), OW likewise.
//   max pooling:     y[n, c, oy, ox] = max over the window x[n, c, oy·s − p + i, ox·s − p + j], i, j < K,
//                    padding counting as −∞ (it never wins); the winner's position is recorded
//                    for the backward pass.
//   average pooling: y = mean over the K×K window (no padding).
// Every (n, c) plane is independent, so planes are split over the cores.
//
// Shape legend: N batch, C channels, H×W input, OH×OW output, K window size, s stride, p padding.

/// Output size of a pooling window along one axis (PyTorch floor mode).
@inline(__always)
private func pooledSize(_ size: Int, kernel: Int, stride: Int, padding: Int) -> Int {
    (size + 2 * padding - kernel) / stride + 1
}

/// 2-D max pooling with autograd. x [N, C, H, W] → [N, C, ⌊(H + 2p − K)/s⌋ + 1, ⌊(W + 2p − K)/s⌋ + 1].
/// - Parameters:
///   - kernel: window size K (square).
///   - stride: step between windows; defaults to `kernel` (non-overlapping windows).
///   - padding: implicit −∞ border on each side (at most K / 2, as in PyTorch).
public func maxPool2d(_ x: Tensor, kernel: Int, stride: Int? = nil, padding: Int = 0) -> Tensor {
    let s = stride ?? kernel
    precondition(x.rank == 4, "maxPool2d: input must be [N, C, H, W], got \(x.shape)")
    precondition(kernel >= 1 && s >= 1 && padding >= 0 && padding <= kernel / 2,
                 "maxPool2d: kernel \(kernel), stride \(s), padding \(padding) (needs padding ≤ kernel/2)")
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (oh, ow) = (pooledSize(h, kernel: kernel, stride: s, padding: padding),
                    pooledSize(w, kernel: kernel, stride: s, padding: padding))
    precondition(oh >= 1 && ow >= 1, "maxPool2d: window \(kernel) larger than padded input \(x.shape)")
    let y = Tensor(uninitializedShape: [n, c, oh, ow])
    // winners[plane · OH·OW + o] = position iy·W + ix (within its plane) of the max of window o.
    var winners = [Int32](repeating: 0, count: y.count)
    let (src, dst) = (x.data, y.data)
    winners.withUnsafeMutableBufferPointer { winnersBuffer in
        let argmax = winnersBuffer.baseAddress!
        parallelFor(n * c, costPerItem: oh * ow * kernel * kernel) { planes in
            for plane in planes {
                let input = src + plane * h * w
                let (output, positions) = (dst + plane * oh * ow, argmax + plane * oh * ow)
                if kernel == 2 && s == 2 && padding == 0 {
                    maxPoolPlane2x2(input, width: w, output, positions, outHeight: oh, outWidth: ow)
                    continue
                }
                for oy in 0..<oh {
                    let rowStart = oy * s - padding
                    let rows = Swift.max(0, rowStart) ..< Swift.min(h, rowStart + kernel)
                    for ox in 0..<ow {
                        let columnStart = ox * s - padding
                        let columns = Swift.max(0, columnStart) ..< Swift.min(w, columnStart + kernel)
                        // padding ≤ K/2 guarantees every window holds at least one real pixel.
                        var best = -Float.infinity
                        var bestPosition = rows.lowerBound * w + columns.lowerBound
                        for iy in rows {
                            for ix in columns where input[iy * w + ix] > best {
                                best = input[iy * w + ix]
                                bestPosition = iy * w + ix
                            }
                        }
                        output[oy * ow + ox] = best
                        positions[oy * ow + ox] = Int32(bestPosition)
                    }
                }
            }
        }
    }
    let winnerPositions = winners
    // forward: y[o] = x[winner(o)], so dx[winner(o)] += dy[o] and every other dx is 0.
    return y.recordingGradient(of: [x]) { dy in
        let dx = Tensor(zeros: [n, c, h, w])
        let (g, d) = (dy.data, dx.data)
        winnerPositions.withUnsafeBufferPointer { winnersBuffer in
            let argmax = winnersBuffer.baseAddress!
            parallelFor(n * c, costPerItem: oh * ow) { planes in
                for plane in planes {
                    let (grad, positions, target) = (g + plane * oh * ow, argmax + plane * oh * ow, d + plane * h * w)
                    for o in 0..<(oh * ow) { target[Int(positions[o])] += grad[o] }
                }
            }
        }
        return [dx]
    }
}

/// The 2×2, stride-2 windows of LeNet and AlexNet without branches (a mispredicted branch per
/// window made this loop 20× slower on real activations): the first maximum in reading order
/// wins, as in the general loop (a later value must be strictly greater). Comparisons become 0/1
/// integers and the winner's position is built arithmetically.
@inline(__always)
private func maxPoolPlane2x2(_ input: UnsafePointer<Float>, width w: Int, _ output: UnsafeMutablePointer<Float>,
                             _ positions: UnsafeMutablePointer<Int32>, outHeight oh: Int, outWidth ow: Int) {
    @inline(__always) func bit(_ condition: Bool) -> Int32 { Int32(unsafeBitCast(condition, to: UInt8.self)) }
    for oy in 0..<oh {
        let top = input + 2 * oy * w, bottom = top + w
        let rowPosition = Int32(2 * oy * w)
        for ox in 0..<ow {
            let (a, b, c, d) = (top[2 * ox], top[2 * ox + 1], bottom[2 * ox], bottom[2 * ox + 1])
            let (upper, lower) = (Swift.max(a, b), Swift.max(c, d))
            let (upperColumn, lowerColumn, lowerWins) = (bit(b > a), bit(d > c), bit(lower > upper))
            output[oy * ow + ox] = Swift.max(upper, lower)
            positions[oy * ow + ox] = rowPosition + Int32(2 * ox) + upperColumn
                + lowerWins * (Int32(w) + lowerColumn - upperColumn)
        }
    }
}

/// 2-D average pooling with autograd. x [N, C, H, W] → [N, C, ⌊(H − K)/s⌋ + 1, ⌊(W − K)/s⌋ + 1].
/// - Parameters:
///   - kernel: window size K (square); each output is the mean of K² inputs.
///   - stride: step between windows; defaults to `kernel`.
public func avgPool2d(_ x: Tensor, kernel: Int, stride: Int? = nil) -> Tensor {
    let s = stride ?? kernel
    precondition(x.rank == 4, "avgPool2d: input must be [N, C, H, W], got \(x.shape)")
    precondition(kernel >= 1 && s >= 1, "avgPool2d: kernel \(kernel), stride \(s)")
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (oh, ow) = (pooledSize(h, kernel: kernel, stride: s, padding: 0), pooledSize(w, kernel: kernel, stride: s, padding: 0))
    precondition(oh >= 1 && ow >= 1, "avgPool2d: window \(kernel) larger than input \(x.shape)")
    let y = Tensor(uninitializedShape: [n, c, oh, ow])
    let scale = 1 / Float(kernel * kernel)
    let (src, dst) = (x.data, y.data)
    parallelFor(n * c, costPerItem: oh * ow * kernel * kernel) { planes in
        for plane in planes {
            let (input, output) = (src + plane * h * w, dst + plane * oh * ow)
            for oy in 0..<oh {
                for ox in 0..<ow {
                    let corner = input + oy * s * w + ox * s
                    var total: Float = 0
                    for i in 0..<kernel { for j in 0..<kernel { total += corner[i * w + j] } }
                    output[oy * ow + ox] = total * scale
                }
            }
        }
    }
    // forward: y[o] = (1/K²) Σ_{window o} x, so each x in window o receives dy[o] / K².
    return y.recordingGradient(of: [x]) { dy in
        let dx = Tensor(zeros: [n, c, h, w])
        let (g, d) = (dy.data, dx.data)
        parallelFor(n * c, costPerItem: oh * ow * kernel * kernel) { planes in
            for plane in planes {
                let (grad, target) = (g + plane * oh * ow, d + plane * h * w)
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        let share = grad[oy * ow + ox] * scale
                        let corner = target + oy * s * w + ox * s
                        for i in 0..<kernel { for j in 0..<kernel { corner[i * w + j] += share } }
                    }
                }
            }
        }
        return [dx]
    }
}
