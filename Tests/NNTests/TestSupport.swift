import Engine

/// A fixed pseudo-random tensor for tests (values in [center − spread, center + spread)).
func sample(_ shape: [Int], seed: UInt64 = 1, center: Float = 0, spread: Float = 1) -> Tensor {
    Tensor.randomUniform(shape, low: center - spread, high: center + spread, generator: RandomGenerator(seed: seed))
}

/// Projects an output onto fixed random weights so every output element matters to the loss.
func projected(_ y: Tensor, seed: UInt64 = 99) -> Tensor {
    sum(y * sample(y.shape, seed: seed))
}
