import Foundation
import Testing
import Engine
import NN

@Suite struct LayerTests {
    @Test func linearGradients() {
        let layer = Linear(4, 3, generator: RandomGenerator(seed: 3))
        let x = sample([5, 4], seed: 4)
        let result = checkGradients(of: [x, layer.weight, layer.bias!]) { inputs in
            projected(linear(inputs[0], weight: inputs[1], bias: inputs[2]))
        }
        #expect(result.passed, "\(result)")
        // The layer's own forward is the same function of its tensors.
        let viaModule = checkGradients(of: [x]) { projected(layer($0[0])) }
        #expect(viaModule.passed, "\(viaModule)")
    }

    @Test func linearAcceptsLeadingAxes() {
        let layer = Linear(4, 3, generator: RandomGenerator(seed: 3))
        let x = sample([2, 5, 4], seed: 4)
        let y = layer(x)
        #expect(y.shape == [2, 5, 3])
        let flat = layer(x.reshaped([10, 4]))
        #expect(y.array == flat.array)
        let result = checkGradients(of: [x]) { projected(layer($0[0])) }
        #expect(result.passed, "\(result)")
    }

    @Test func linearParametersAndNames() {
        let withBias = Linear(4, 3, generator: RandomGenerator(seed: 1))
        #expect(withBias.namedParameters.map(\.0) == ["weight", "bias"])
        #expect(withBias.parameterCount == 15)
        #expect(withBias.weight.shape == [3, 4] && withBias.bias?.shape == [3])
        let withoutBias = Linear(4, 3, bias: false, generator: RandomGenerator(seed: 1))
        #expect(withoutBias.namedParameters.map(\.0) == ["weight"])
        let net = Sequential(Linear(2, 3, generator: RandomGenerator(seed: 1)), Tanh(), Linear(3, 1, generator: RandomGenerator(seed: 2)))
        #expect(net.namedParameters.count == 4)
        #expect(net.parameterCount == 2 * 3 + 3 + 3 + 1)
    }

    /// PyTorch's default: kaiming_uniform(a = √5) gives U(−1/√fanIn, 1/√fanIn), variance 1/(3 fanIn).
    @Test func defaultInitializationMatchesPyTorch() {
        let fanIn = 50
        let layer = Linear(fanIn, 400, generator: RandomGenerator(seed: 7))
        let bound = 1 / Float(fanIn).squareRoot()
        let w = layer.weight.array
        #expect(w.allSatisfy { abs($0) <= bound })
        #expect(w.max()! > 0.95 * bound && w.min()! < -0.95 * bound)
        let variance = w.map { $0 * $0 }.reduce(0, +) / Float(w.count)
        #expect(abs(variance - 1 / (3 * Float(fanIn))) < 0.05 / (3 * Float(fanIn)) * 3)
        #expect(layer.bias!.array.allSatisfy { abs($0) <= bound })
    }

    @Test func initializerStatistics() {
        let g = RandomGenerator(seed: 11)
        let shape = [64, 32, 3, 3]                              // fanIn 288, fanOut 576
        #expect(fans(of: shape) == (288, 576))
        func std(_ t: Tensor) -> Float {
            let a = t.array
            let m = a.reduce(0, +) / Float(a.count)
            return (a.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Float(a.count)).squareRoot()
        }
        let xavierBound = (6 / Float(288 + 576)).squareRoot()
        #expect(xavierUniform(shape, generator: g).array.allSatisfy { abs($0) <= xavierBound })
        #expect(abs(std(xavierNormal(shape, generator: g)) / (2 / Float(288 + 576)).squareRoot() - 1) < 0.03)
        let heStd = (2 / Float(288)).squareRoot()
        #expect(abs(std(kaimingNormal(shape, nonlinearity: .relu, generator: g)) / heStd - 1) < 0.03)
        #expect(abs(std(kaimingUniform(shape, nonlinearity: .relu, generator: g)) / heStd - 1) < 0.03)
        let fanOutStd = (2 / Float(576)).squareRoot()
        #expect(abs(std(kaimingNormal(shape, mode: .fanOut, nonlinearity: .relu, generator: g)) / fanOutStd - 1) < 0.03)
        #expect(abs(std(normalInitialization([10_000], std: 0.1, generator: g)) / 0.1 - 1) < 0.03)
        #expect(abs(Nonlinearity.leakyRelu(slope: Float(5).squareRoot()).gain - Float(1.0 / 3.0).squareRoot()) < 1e-6)
    }

    @Test func activationModules() {
        let x = Tensor(shape: [4], values: [-2, -0.5, 0.5, 2])
        #expect(ReLU()(x).array == [0, 0, 0.5, 2])
        #expect(LeakyReLU(slope: 0.1)(x).array == [-0.2, -0.05, 0.5, 2])
        #expect(zip(Tanh()(x).array, x.array.map { Foundation.tanh($0) }).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(zip(Sigmoid()(x).array, x.array.map { 1 / (1 + Foundation.exp(-$0)) }).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(zip(Softplus()(x).array, x.array.map { Foundation.log(1 + Foundation.exp($0)) }).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(Flatten()(sample([2, 3, 4, 5])).shape == [2, 60])
        #expect(ReLU().namedTensors.isEmpty)
    }
}
