pragma circom 2.1.0;

// The benchmark circuit shared with snarkjs and groth16py: a Poseidon(2) Merkle path of
// DEPTH levels plus four 64-bit range checks (circomlib's Num2Bits). DEPTH is substituted
// by zktrade's benchmark before compiling.
include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/bitify.circom";

template PathLevel() {
    signal input node;
    signal input sibling;
    signal input is_right;   // 1 if node is the right child
    signal output parent;

    is_right * (1 - is_right) === 0;
    signal left_minus <== is_right * (sibling - node);
    component h = Poseidon(2);
    h.inputs[0] <== node + left_minus;
    h.inputs[1] <== sibling - left_minus;
    parent <== h.out;
}

template MerkleBench(depth) {
    signal input leaf;
    signal input siblings[depth];
    signal input path_bits[depth];
    signal input amounts[4];
    signal output root;

    component levels[depth];
    signal nodes[depth + 1];
    nodes[0] <== leaf;
    for (var i = 0; i < depth; i++) {
        levels[i] = PathLevel();
        levels[i].node <== nodes[i];
        levels[i].sibling <== siblings[i];
        levels[i].is_right <== path_bits[i];
        nodes[i + 1] <== levels[i].parent;
    }
    root <== nodes[depth];

    component ranges[4];
    for (var j = 0; j < 4; j++) {
        ranges[j] = Num2Bits(64);
        ranges[j].in <== amounts[j];
    }
}

component main = MerkleBench(DEPTH);
