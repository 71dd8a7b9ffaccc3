import Testing
import Engine

@Suite struct MatMulAndShapeTests {
    @Test func matmulValues() {
        let a = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [3, 2], values: [7, 8, 9, 10, 11, 12])
        #expect(matmul(a, b).array == [58, 64, 139, 154])
        #expect(matmul(a, a, transposeB: true).array == [14, 32, 32, 77])
        #expect(matmul(a, a, transposeA: true).shape == [3, 3])
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func matmulGradients(_ transposes: (Bool, Bool)) {
        let a = sample(transposes.0 ? [4, 3] : [3, 4], seed: 1)
        let b = sample(transposes.1 ? [5, 4] : [4, 5], seed: 2)
        let result = checkGradients(of: [a, b]) { projected(matmul($0[0], $0[1], transposeA: transposes.0, transposeB: transposes.1)) }
        #expect(result.passed, "\(result)")
    }

    @Test func linearMatchesComposedAndHasGradients() {
        let x = sample([4, 3], seed: 1), w = sample([5, 3], seed: 2), b = sample([5], seed: 3)
        let fused = linear(x, weight: w, bias: b).array
        let composed = (matmul(x, w, transposeB: true) + b).array
        for (f, c) in zip(fused, composed) { #expect(Swift.abs(f - c) < 1e-5) }
        let result = checkGradients(of: [x, w, b]) { projected(linear($0[0], weight: $0[1], bias: $0[2])) }
        #expect(result.passed, "\(result)")
    }

    @Test func shapeOpsMoveValuesAndGradients() {
        let x = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        #expect(x.transposed().array == [1, 4, 2, 5, 3, 6])
        let y = sample([2, 3, 4], seed: 5)
        #expect(y.permuted([2, 0, 1]).shape == [4, 2, 3])
        #expect(y.permuted([2, 0, 1]).permuted([1, 2, 0]).array == y.array)
        #expect(concatenate([x, x], axis: 1).array == [1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6])
        #expect(x.slice(batch: 1..<2).array == [4, 5, 6])
        #expect(x.reshaped([3, -1]).shape == [3, 2])
        let a = sample([3, 2], seed: 6), b = sample([1, 2], seed: 7)
        for (name, f) in [("permute", { (t: [Tensor]) in t[0].permuted([1, 0]) }),
                          ("concat", { concatenate([$0[0], $0[1]], axis: 0) }),
                          ("slice", { $0[0].slice(batch: 1..<3) }),
                          ("broadcast", { $0[1].broadcasted(to: [4, 2]) }),
                          ("stack", { stack([$0[0], $0[0]]) })] {
            let result = checkGradients(of: [a, b]) { projected(f($0)) }
            #expect(result.passed, "\(name): \(result)")
        }
    }

    @Test func sameSeedSameNumbers() {
        let a = Tensor.randomNormal([1000], generator: RandomGenerator(seed: 42)).array
        let b = Tensor.randomNormal([1000], generator: RandomGenerator(seed: 42)).array
        let c = Tensor.randomNormal([1000], generator: RandomGenerator(seed: 43)).array
        #expect(a == b && a != c)
        let mean = a.reduce(0, +) / 1000
        let variance = a.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 1000
        #expect(Swift.abs(mean) < 0.1 && Swift.abs(variance - 1) < 0.15)
    }
}
