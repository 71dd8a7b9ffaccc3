import Testing
import Engine

/// A fixed pseudo-random tensor for tests (values in roughly [-1, 1] around `center`).
func sample(_ shape: [Int], seed: UInt64 = 1, center: Float = 0, spread: Float = 1) -> Tensor {
    Tensor.randomUniform(shape, low: center - spread, high: center + spread, generator: RandomGenerator(seed: seed))
}

/// Projects an output onto fixed random weights so every output element matters to the loss.
func projected(_ y: Tensor, seed: UInt64 = 99) -> Tensor {
    sum(y * sample(y.shape, seed: seed))
}

@Suite struct ElementwiseTests {
    @Test(arguments: ["exp", "log", "log1p", "softplus", "sigmoid", "tanh", "relu", "leakyRelu", "sqrt", "square", "abs", "pow", "neg", "recip"])
    func unaryGradient(_ name: String) {
        let positive = ["log", "sqrt", "pow", "recip"].contains(name)
        let x = sample([3, 5], center: positive ? 2 : 0)
        let f: (Tensor) -> Tensor = switch name {
        case "exp": { exp($0) }
        case "log": { log($0) }
        case "log1p": { log1p($0) }
        case "softplus": { softplus($0) }
        case "sigmoid": { sigmoid($0) }
        case "tanh": { tanh($0) }
        case "relu": { relu($0) }
        case "leakyRelu": { leakyRelu($0, slope: 0.1) }
        case "sqrt": { sqrt($0) }
        case "square": { square($0) }
        case "abs": { abs($0) }
        case "pow": { pow($0, 1.5) }
        case "neg": { -$0 }
        default: { 1 / $0 }
        }
        let result = checkGradients(of: [x]) { projected(f($0[0])) }
        #expect(result.passed, "\(name): \(result)")
    }

    @Test(arguments: [([2, 3], [2, 3]), ([2, 3], [3]), ([4, 1, 3], [1, 2, 1]), ([2, 3, 2, 2], [1, 3, 1, 1]), ([], [2, 2])])
    func binaryGradientsWithBroadcasting(_ shapes: ([Int], [Int])) {
        let a = sample(shapes.0, seed: 3, center: 1.5, spread: 0.5)
        let b = sample(shapes.1, seed: 4, center: 1.5, spread: 0.5)
        for (name, op) in [("+", { (x: Tensor, y: Tensor) in x + y }), ("-", { $0 - $1 }), ("*", { $0 * $1 }), ("/", { $0 / $1 })] {
            let result = checkGradients(of: [a, b]) { projected(op($0[0], $0[1])) }
            #expect(result.passed, "\(name) \(shapes): \(result)")
        }
    }

    @Test func broadcastingValuesFollowNumPyRules() {
        let a = Tensor(shape: [2, 1, 3], values: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [2, 1], values: [10, 20])
        let c = a + b
        #expect(c.shape == [2, 2, 3])
        #expect(c.array == [11, 12, 13, 21, 22, 23, 14, 15, 16, 24, 25, 26])
        #expect((a * 2).array == [2, 4, 6, 8, 10, 12])
        #expect(broadcastShape([5, 1, 4], [3, 1]) == [5, 3, 4])
    }

    @Test func softplusAndSigmoidAreStableAtExtremes() {
        let x = Tensor(shape: [4], values: [-1e4, -50, 50, 1e4])
        let s = softplus(x).array
        #expect(s.allSatisfy { $0.isFinite })
        #expect(s[3] == 1e4 && s[0] == 0)
        let g = sigmoid(x).array
        #expect(g[0] == 0 && g[3] == 1)
    }

    @Test func gradientsAccumulateAcrossUses() {
        let x = Tensor(shape: [3], values: [1, 2, 3], requiresGrad: true)
        let y = sum(x * x + x)   // dy/dx = 2x + 1
        y.backward()
        #expect(x.grad?.array == [3, 5, 7])
        withoutGradient { #expect(!(x * x).needsGradient) }
    }
}
