import Testing
import Engine

/// A tensor of distinct values 0.1 apart in a scrambled order: the maximum of every window is
/// unique and stays so when a finite-difference step (0.01) moves one entry.
func distinctValues(_ shape: [Int], seed: UInt64 = 1) -> Tensor {
    let count = shape.reduce(1, *)
    let order = RandomGenerator(seed: seed).permutation(count)
    return Tensor(shape: shape, values: order.map { Float($0) * 0.1 - Float(count) * 0.05 })
}

/// Max pooling by its definition, padding as −∞.
func naiveMaxPool(_ x: Tensor, kernel k: Int, stride s: Int, padding p: Int) -> Tensor {
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (oh, ow) = ((h + 2 * p - k) / s + 1, (w + 2 * p - k) / s + 1)
    var values: [Float] = []
    for plane in 0..<(n * c) {
        for oy in 0..<oh {
            for ox in 0..<ow {
                var best = -Float.infinity
                for i in 0..<k {
                    for j in 0..<k {
                        let (iy, ix) = (oy * s - p + i, ox * s - p + j)
                        if iy >= 0 && iy < h && ix >= 0 && ix < w { best = Swift.max(best, x.data[(plane * h + iy) * w + ix]) }
                    }
                }
                values.append(best)
            }
        }
    }
    return Tensor(shape: [n, c, oh, ow], values: values)
}

@Suite struct PoolingTests {
    /// (input shape, kernel, stride, padding)
    static let cases: [([Int], Int, Int?, Int)] = [
        ([2, 3, 6, 6], 2, nil, 0),     // LeNet's and AlexNet's pool
        ([2, 2, 7, 5], 2, nil, 0),     // odd sizes: the last row/column is dropped (floor mode)
        ([1, 2, 9, 8], 3, 2, 0),       // 3Conv3FC's overlapping 3×3 stride-2 pool
        ([2, 2, 7, 6], 3, 2, 1),       // with padding
        ([1, 1, 5, 5], 2, 1, 1),
    ]

    @Test(arguments: cases)
    func maxPoolValuesAndGradient(_ c: ([Int], Int, Int?, Int)) {
        let x = distinctValues(c.0)
        let y = maxPool2d(x, kernel: c.1, stride: c.2, padding: c.3)
        #expect(y.array == naiveMaxPool(x, kernel: c.1, stride: c.2 ?? c.1, padding: c.3).array, "\(c)")
        let result = checkGradients(of: [x]) { projected(maxPool2d($0[0], kernel: c.1, stride: c.2, padding: c.3)) }
        #expect(result.passed, "\(c): \(result)")
    }

    @Test func maxPoolGradientGoesToTheWinnerOnly() {
        let x = Tensor(shape: [1, 1, 2, 4], values: [1, 5, 2, 0,
                                                     3, 4, 7, 6], requiresGrad: true)
        let y = maxPool2d(x, kernel: 2)
        #expect(y.array == [5, 7])
        sum(y * Tensor(shape: [1, 1, 1, 2], values: [10, 20])).backward()
        #expect(x.grad?.array == [0, 10, 0, 0,
                                  0, 0, 20, 0])
    }

    /// Ties go to the first maximum in reading order, in the 2×2 fast path as in the general loop
    /// (3×3 windows here with padding 1 and stride 2 see the same rule).
    @Test func maxPoolTiesGoToTheFirstMaximum() {
        let x = Tensor(shape: [1, 1, 4, 4], values: [Float](repeating: 1, count: 16), requiresGrad: true)
        sum(maxPool2d(x, kernel: 2)).backward()
        #expect(x.grad?.array == [1, 0, 1, 0,  0, 0, 0, 0,  1, 0, 1, 0,  0, 0, 0, 0])
        let z = Tensor(shape: [1, 1, 2, 2], values: [2, 2, 3, 3], requiresGrad: true)
        sum(maxPool2d(z, kernel: 2)).backward()
        #expect(z.grad?.array == [0, 0, 1, 0])
    }

    @Test func avgPoolValuesAndGradient() {
        let x = Tensor(shape: [1, 1, 2, 4], values: [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(avgPool2d(x, kernel: 2).array == [3.5, 5.5])
        #expect(avgPool2d(x, kernel: 2, stride: 1).array == [3.5, 4.5, 5.5])
        for (kernel, stride) in [(2, nil), (3, 2), (2, 1)] as [(Int, Int?)] {
            let z = sample([2, 3, 7, 6], seed: 3)
            let result = checkGradients(of: [z]) { projected(avgPool2d($0[0], kernel: kernel, stride: stride)) }
            #expect(result.passed, "kernel \(kernel) stride \(String(describing: stride)): \(result)")
        }
    }
}
