import Testing
import Engine

/// The definition of convolution, seven loops deep: the oracle the im2col + GEMM path must match.
/// x [N, C, H, W], weight [OC, C, KH, KW], bias [OC] → [N, OC, OH, OW].
func naiveConvolution(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?, stride s: Int, padding p: Int) -> Tensor {
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (oc, kh, kw) = (weight.shape[0], weight.shape[2], weight.shape[3])
    let (oh, ow) = ((h + 2 * p - kh) / s + 1, (w + 2 * p - kw) / s + 1)
    let y = Tensor(zeros: [n, oc, oh, ow])
    let (xd, wd, yd) = (x.data, weight.data, y.data)
    for image in 0..<n {
        for o in 0..<oc {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    var total = bias?.data[o] ?? 0
                    for ci in 0..<c {
                        for i in 0..<kh {
                            for j in 0..<kw {
                                let (iy, ix) = (oy * s - p + i, ox * s - p + j)
                                guard iy >= 0 && iy < h && ix >= 0 && ix < w else { continue }
                                total += wd[((o * c + ci) * kh + i) * kw + j] * xd[((image * c + ci) * h + iy) * w + ix]
                            }
                        }
                    }
                    yd[((image * oc + o) * oh + oy) * ow + ox] = total
                }
            }
        }
    }
    return y
}

/// ⟨a, b⟩ in Double, for adjoint identities.
func inner(_ a: Tensor, _ b: Tensor) -> Double {
    precondition(a.count == b.count)
    var total: Double = 0
    for i in 0..<a.count { total += Double(a.data[i]) * Double(b.data[i]) }
    return total
}

func expectClose(_ a: Tensor, _ b: Tensor, tolerance: Float = 1e-4, _ label: String = "") {
    #expect(a.shape == b.shape, "\(label): shapes \(a.shape) vs \(b.shape)")
    guard a.shape == b.shape else { return }
    var worst: Float = 0
    for i in 0..<a.count { worst = Swift.max(worst, Swift.abs(a.data[i] - b.data[i]) / (1 + Swift.abs(b.data[i]))) }
    #expect(worst <= tolerance, "\(label): worst relative difference \(worst)")
}

@Suite struct ConvolutionTests {
    /// (input [N, C, H, W], weight [OC, C, KH, KW], stride, padding)
    static let cases: [([Int], [Int], Int, Int)] = [
        ([2, 3, 7, 9], [4, 3, 3, 3], 1, 0),
        ([2, 3, 8, 7], [5, 3, 3, 2], 2, 1),     // non-square kernel, stride and padding
        ([1, 2, 11, 10], [3, 2, 5, 5], 3, 2),
        ([3, 1, 6, 5], [2, 1, 1, 1], 1, 0),     // 1×1 convolution
        ([2, 3, 9, 9], [4, 3, 11, 11], 4, 5),   // AlexNet's first layer, scaled down
        ([2, 2, 5, 6], [3, 2, 4, 3], 2, 2),     // padding wider than some taps reach
    ]

    @Test(arguments: cases)
    func matchesNaiveConvolution(_ c: ([Int], [Int], Int, Int)) {
        let x = sample(c.0, seed: 1), w = sample(c.1, seed: 2), b = sample([c.1[0]], seed: 3)
        expectClose(conv2d(x, weight: w, bias: b, stride: c.2, padding: c.3),
                    naiveConvolution(x, w, b, stride: c.2, padding: c.3), "\(c)")
        expectClose(conv2d(x, weight: w, bias: nil, stride: c.2, padding: c.3),
                    naiveConvolution(x, w, nil, stride: c.2, padding: c.3), "\(c) without bias")
    }

    /// The direct kernel (taken by conv2dForward for stride 1 and output rows of 8 or more pixels) and
    /// the im2col reference path both match the definition, including channel counts that do not
    /// fill the kernel's 8-channel blocks and rows that do not fill its 16-column tiles.
    @Test(arguments: [([3, 1, 12, 12], [6, 1, 5, 5], 0), ([2, 6, 14, 14], [16, 6, 5, 5], 0), ([2, 4, 5, 30], [5, 4, 3, 3], 1),
                      ([2, 3, 20, 19], [11, 3, 5, 5], 2), ([2, 5, 9, 40], [9, 5, 3, 3], 1), ([1, 2, 8, 21], [3, 2, 1, 1], 0)])
    func directKernelAndIm2colPathMatchNaive(_ c: ([Int], [Int], Int)) {
        let x = sample(c.0, seed: 11), w = sample(c.1, seed: 12), b = sample([c.1[0]], seed: 13)
        let reference = naiveConvolution(x, w, b, stride: 1, padding: c.2)
        expectClose(conv2dForward(x, weight: w, bias: b, stride: 1, padding: c.2), reference, "\(c) conv2dForward")
        expectClose(conv2dForwardByIm2col(x, weight: w, bias: b, stride: 1, padding: c.2), reference, "\(c) im2col")
        expectClose(conv2dForward(x, weight: w, bias: nil, stride: 1, padding: c.2),
                    naiveConvolution(x, w, nil, stride: 1, padding: c.2), "\(c) without bias")
        // The backward kernels (direct for these shapes) against the definition: conv is linear in x
        // and in W, so ⟨naive(x′, W), g⟩ = ⟨x′, dx(g)⟩ and ⟨naive(x, W′), g⟩ = ⟨W′, dW(g)⟩.
        let g = sample(reference.shape, seed: 14), xOther = sample(x.shape, seed: 15), wOther = sample(w.shape, seed: 16)
        let dx = conv2dBackwardInput(g, weight: w, inputShape: x.shape, stride: 1, padding: c.2)
        let dw = conv2dBackwardWeight(g, input: x, weightShape: w.shape, stride: 1, padding: c.2)
        let lhsX = inner(naiveConvolution(xOther, w, nil, stride: 1, padding: c.2), g)
        let lhsW = inner(naiveConvolution(x, wOther, nil, stride: 1, padding: c.2), g)
        #expect(Swift.abs(lhsX - inner(xOther, dx)) < 1e-4 * Swift.abs(lhsX) + 1e-3, "\(c) input gradient")
        #expect(Swift.abs(lhsW - inner(wOther, dw)) < 1e-4 * Swift.abs(lhsW) + 1e-3, "\(c) weight gradient")
    }

    @Test func gradientsThroughTheDirectKernels() {
        // Output rows of 18 pixels, 4 channels each way: forward, input and weight gradients all take the direct kernels.
        let x = sample([2, 4, 6, 18], seed: 1), w = sample([4, 4, 3, 3], seed: 2), b = sample([4], seed: 3)
        let result = checkGradients(of: [x, w, b]) { projected(conv2d($0[0], weight: $0[1], bias: $0[2], stride: 1, padding: 1)) }
        #expect(result.passed, "\(result)")
    }

    /// A batch big enough to be split over the cores and cut into several im2col chunks
    /// (a chunk's col buffer holds about 2¹⁹ floats: one image of this shape).
    @Test func chunkedBatchMatchesNaiveAndBackwardKernelsAreAdjoint() {
        let x = sample([5, 16, 42, 42], seed: 4), w = sample([2, 16, 5, 5], seed: 5), b = sample([2], seed: 6)
        let y = conv2dForward(x, weight: w, bias: b, stride: 1, padding: 1)
        // Images 1…3 straddle chunk boundaries and the boundary between the two cores' shares.
        expectClose(y.slice(batch: 1..<4), naiveConvolution(x.slice(batch: 1..<4), w, b, stride: 1, padding: 1), "chunked")
        #expect(y.array == conv2dForward(x, weight: w, bias: b, stride: 1, padding: 1).array, "deterministic")
        // conv is linear in x and in W: ⟨conv(x′, W), g⟩ = ⟨x′, dx(g)⟩ and ⟨conv(x, W′), g⟩ = ⟨W′, dW(g)⟩.
        let g = sample(y.shape, seed: 7), xOther = sample(x.shape, seed: 8), wOther = sample(w.shape, seed: 9)
        let dx = conv2dBackwardInput(g, weight: w, inputShape: x.shape, stride: 1, padding: 1)
        let dw = conv2dBackwardWeight(g, input: x, weightShape: w.shape, stride: 1, padding: 1)
        let lhsX = inner(conv2dForward(xOther, weight: w, bias: nil, stride: 1, padding: 1), g)
        let lhsW = inner(conv2dForward(x, weight: wOther, bias: nil, stride: 1, padding: 1), g)
        #expect(Swift.abs(lhsX - inner(xOther, dx)) < 1e-4 * Swift.abs(lhsX) + 1e-2)
        #expect(Swift.abs(lhsW - inner(wOther, dw)) < 1e-4 * Swift.abs(lhsW) + 1e-2)
        let db = conv2dBackwardBias(g).array
        let pixels = g.shape[2] * g.shape[3]
        for channel in 0..<2 {
            var expected: Double = 0
            for image in 0..<5 { for q in 0..<pixels { expected += Double(g.data[(image * 2 + channel) * pixels + q]) } }
            #expect(Swift.abs(Double(db[channel]) - expected) < 1e-2)
        }
    }

    @Test func gradientsWithStrideAndPadding() {
        let x = sample([2, 3, 6, 5], seed: 1), w = sample([4, 3, 3, 3], seed: 2), b = sample([4], seed: 3)
        let result = checkGradients(of: [x, w, b]) { projected(conv2d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1)) }
        #expect(result.passed, "\(result)")
        let unpadded = checkGradients(of: [x, w]) { projected(conv2d($0[0], weight: $0[1], bias: nil)) }
        #expect(unpadded.passed, "\(unpadded)")
    }

    @Test func transposedConvolutionShapeAndGradients() {
        let x = sample([2, 3, 4, 3], seed: 1), w = sample([3, 2, 3, 3], seed: 2), b = sample([2], seed: 3)
        let y = convTranspose2d(x, weight: w, bias: b, stride: 2, padding: 1, outputPadding: 1)
        // (H − 1)·s − 2p + K + outputPadding = 3·2 − 2 + 3 + 1 = 8, and 2·2 − 2 + 3 + 1 = 6.
        #expect(y.shape == [2, 2, 8, 6])
        let result = checkGradients(of: [x, w, b]) {
            projected(convTranspose2d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1, outputPadding: 1))
        }
        #expect(result.passed, "\(result)")
    }

    @Test func transposedConvolutionIsTheAdjointOfConvolution() {
        // With W [C_in, C_out, K, K]: convTranspose2d maps [N, C_in, H, W] → [N, C_out, OH, OW] and
        // conv2d with the same W (read as [OC = C_in, C = C_out, K, K]) maps back.
        for (stride, padding, outputPadding) in [(2, 1, 1), (1, 0, 0), (3, 2, 2)] {
            let x = sample([2, 4, 5, 4], seed: 1), w = sample([4, 3, 3, 3], seed: 2)
            let y = convTranspose2d(x, weight: w, bias: nil, stride: stride, padding: padding, outputPadding: outputPadding)
            let u = sample(y.shape, seed: 3)
            let convolved = conv2d(u, weight: w, bias: nil, stride: stride, padding: padding)
            #expect(convolved.shape == x.shape)
            let (lhs, rhs) = (inner(convolved, x), inner(u, y))
            #expect(Swift.abs(lhs - rhs) < 1e-4 * Swift.abs(lhs) + 1e-3, "⟨conv(u), x⟩ = \(lhs), ⟨u, convT(x)⟩ = \(rhs)")
        }
    }

    @Test func transposedConvolutionOfAPointIsTheKernel() {
        // A single 1 at (1, 1) with stride 2, padding 0 stamps the kernel at output (2, 2).
        let x = Tensor(zeros: [1, 1, 3, 3]); x.data[4] = 1
        let w = Tensor(shape: [1, 1, 2, 2], values: [1, 2, 3, 4])
        let y = convTranspose2d(x, weight: w, bias: Tensor(shape: [1], values: [0.5]), stride: 2)
        #expect(y.shape == [1, 1, 6, 6])
        var expected = [Float](repeating: 0.5, count: 36)
        expected[2 * 6 + 2] += 1; expected[2 * 6 + 3] += 2; expected[3 * 6 + 2] += 3; expected[3 * 6 + 3] += 4
        #expect(y.array == expected)
    }

    @Test func pixelShuffleValuesAndGradient() {
        // [1, 2·2², 1, 2] → [1, 2, 2, 4]: channel c·4 + i·2 + j lands at row i, column 2w + j of channel c.
        let x = Tensor(shape: [1, 8, 1, 2], values: (0..<16).map(Float.init))
        let y = pixelShuffle(x, upscale: 2)
        #expect(y.shape == [1, 2, 2, 4])
        // channel 0: inputs 0…3 hold (ch0: 0 1) (ch1: 2 3) (ch2: 4 5) (ch3: 6 7)
        #expect(y.array == [0, 2, 1, 3,
                            4, 6, 5, 7,
                            8, 10, 9, 11,
                            12, 14, 13, 15])
        let z = sample([2, 9, 3, 2], seed: 5)
        let result = checkGradients(of: [z]) { projected(pixelShuffle($0[0], upscale: 3)) }
        #expect(result.passed, "\(result)")
    }
}
