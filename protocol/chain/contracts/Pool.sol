// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IPoseidon2, MerkleTreeWithHistory} from "./MerkleTreeWithHistory.sol";

/// The settlement-leg verifier (generated with the pair function): 8 public inputs.
interface ILegVerifier {
    function verifyProofPair(
        uint256[2] calldata a1, uint256[2][2] calldata b1, uint256[2] calldata c1, uint256[8] calldata input1,
        uint256[2] calldata a2, uint256[2][2] calldata b2, uint256[2] calldata c2, uint256[8] calldata input2
    ) external view returns (bool);
}

/// The withdraw verifier: 8 public inputs.
interface IWithdrawVerifier {
    function verifyProof(uint256[2] calldata a, uint256[2][2] calldata b, uint256[2] calldata c, uint256[8] calldata input)
        external view returns (bool);
}

/// The shielded pool: deposits, two-party settlements and (relayable) withdrawals of ERC-20 notes.
/// docs/protocol.md is normative for every value and check. No entry point looks at msg.sender
/// except deposit (whose tokens it takes): settlements and withdrawals may be sent by anyone,
/// so a relayer can send them and no trader's address appears on them.
contract Pool is MerkleTreeWithHistory, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    uint256 public constant AMOUNT_LIMIT = 2 ** 96; // AMOUNT_BITS: every circuit range-checks amounts to this
    uint256 public constant BUY = 0;
    uint256 public constant SELL = 1;
    // A settlement leg's public inputs, in the circuit's order.
    uint256 internal constant LEG_ROOT = 0;
    uint256 internal constant LEG_NULLIFIER = 1;
    uint256 internal constant LEG_RECEIVED = 2;
    uint256 internal constant LEG_CHANGE = 3;
    uint256 internal constant LEG_TRADE = 4;
    uint256 internal constant LEG_ORDER = 5;
    uint256 internal constant LEG_SIDE = 6;
    uint256 internal constant LEG_DEADLINE = 7;

    struct Proof {
        uint256[2] a;
        uint256[2][2] b;
        uint256[2] c;
    }

    /// One party's settlement proof, its public inputs [root, nullifier, received_commitment,
    /// change_commitment, trade_commitment, order_commitment, side, deadline], and the encrypted
    /// memos of its received and change notes (opaque to the pool, bound by no proof).
    struct Leg {
        Proof proof;
        uint256[8] input;
        bytes memo;
    }

    ILegVerifier public immutable legVerifier;
    IWithdrawVerifier public immutable withdrawVerifier;
    mapping(uint256 => bool) public nullifierSpent;
    mapping(uint256 => bool) public tradeSettled;

    event Deposited(address indexed asset, address indexed depositor, uint256 amount, uint256 innerHash,
                    uint256 commitment, uint256 leafIndex, bytes memo);
    /// The four new leaves are firstLeafIndex.. +3: buy received, buy change, sell received, sell change.
    event Settled(uint256 indexed tradeCommitment, uint256 buyNullifier, uint256 sellNullifier,
                  uint256 buyOrderCommitment, uint256 sellOrderCommitment, uint256 firstLeafIndex,
                  bytes buyMemo, bytes sellMemo);
    event Withdrawn(uint256 indexed nullifier, address indexed asset, address indexed recipient, uint256 amount,
                    address relayer, uint256 fee, uint256 changeCommitment, uint256 leafIndex, bytes changeMemo);

    constructor(IPoseidon2 poseidon_, ILegVerifier legVerifier_, IWithdrawVerifier withdrawVerifier_, uint256 rootMaxAge_)
        MerkleTreeWithHistory(poseidon_, rootMaxAge_)
    {
        legVerifier = legVerifier_;
        withdrawVerifier = withdrawVerifier_;
    }

    /// Shield `amount` of `asset`. The commitment H(H(asset, received), innerHash) is computed
    /// here from what the pool's balance actually grew by, so a note never claims more than
    /// arrived (a fee-on-transfer token yields a note of the net amount, reported in the event).
    function deposit(IERC20 asset, uint256 amount, uint256 innerHash, bytes calldata memo)
        external
        nonReentrant
        returns (uint256 leafIndex)
    {
        // Verify the inner hash is a field element and the amount is in the circuits' range
        require(innerHash < FIELD_SIZE, "Pool: inner hash >= r");
        require(amount > 0 && amount < AMOUNT_LIMIT, "Pool: amount must be in (0, 2^96)");
        uint256 balanceBefore = asset.balanceOf(address(this));
        asset.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = asset.balanceOf(address(this)) - balanceBefore;
        // Verify what arrived is a valid note amount
        require(received > 0 && received < AMOUNT_LIMIT, "Pool: received amount outside (0, 2^96)");
        uint256 commitment = hashPair(hashPair(uint160(address(asset)), received), innerHash);
        uint256[] memory leaves = new uint256[](1);
        leaves[0] = commitment;
        leafIndex = _insert(leaves);
        emit Deposited(address(asset), msg.sender, received, innerHash, commitment, leafIndex, memo);
    }

    /// Settle a matched trade: one buy leg and one sell leg binding the same fill, before its deadline.
    function settle(Leg calldata buyLeg, Leg calldata sellLeg) external nonReentrant {
        uint256[8] calldata buy = buyLeg.input;
        uint256[8] calldata sell = sellLeg.input;
        // Verify the sides
        require(buy[LEG_SIDE] == BUY && sell[LEG_SIDE] == SELL, "Pool: legs must be a buy and a sell");
        // Verify both legs bind the same, unsettled trade and the same deadline, not yet passed
        require(buy[LEG_TRADE] == sell[LEG_TRADE], "Pool: legs bind different trades");
        require(buy[LEG_DEADLINE] == sell[LEG_DEADLINE], "Pool: legs bind different deadlines");
        require(block.timestamp <= buy[LEG_DEADLINE], "Pool: leg deadline passed");
        require(!tradeSettled[buy[LEG_TRADE]], "Pool: trade already settled");
        // Verify both roots are known (current, or superseded at most rootMaxAge ago)
        require(isKnownRoot(buy[LEG_ROOT]) && isKnownRoot(sell[LEG_ROOT]), "Pool: unknown root");
        // Verify the nullifiers are distinct and fresh
        require(buy[LEG_NULLIFIER] != sell[LEG_NULLIFIER], "Pool: both legs spend the same note");
        require(!nullifierSpent[buy[LEG_NULLIFIER]] && !nullifierSpent[sell[LEG_NULLIFIER]], "Pool: nullifier already spent");
        // Verify both proofs, in one batched pairing
        require(
            legVerifier.verifyProofPair(
                buyLeg.proof.a, buyLeg.proof.b, buyLeg.proof.c, buy,
                sellLeg.proof.a, sellLeg.proof.b, sellLeg.proof.c, sell
            ),
            "Pool: invalid settlement proof"
        );
        nullifierSpent[buy[LEG_NULLIFIER]] = true;
        nullifierSpent[sell[LEG_NULLIFIER]] = true;
        tradeSettled[buy[LEG_TRADE]] = true;
        uint256[] memory leaves = new uint256[](4);
        leaves[0] = buy[LEG_RECEIVED];
        leaves[1] = buy[LEG_CHANGE];
        leaves[2] = sell[LEG_RECEIVED];
        leaves[3] = sell[LEG_CHANGE];
        uint256 first = _insert(leaves);
        emit Settled(buy[LEG_TRADE], buy[LEG_NULLIFIER], sell[LEG_NULLIFIER], buy[LEG_ORDER], sell[LEG_ORDER], first,
                     buyLeg.memo, sellLeg.memo);
    }

    /// The public inputs of a withdrawal, in the circuit's order.
    struct Withdrawal {
        uint256 root;
        uint256 nullifier;
        IERC20 asset;
        uint256 amount;
        address recipient;
        address relayer;
        uint256 fee;
        uint256 changeCommitment;
    }

    /// Unshield `w.amount` of `w.asset`: `amount − fee` to `recipient`, `fee` to `relayer`. The
    /// rest of the note comes back as `changeCommitment` (always appended; a zero-amount change
    /// note is fine). The proof binds recipient, relayer and fee, so anyone may send this (a
    /// relayer, paid the fee) and nobody can redirect the funds or change the fee.
    function withdraw(Proof calldata proof, Withdrawal calldata w, bytes calldata changeMemo) external nonReentrant {
        // Verify the root is known and the nullifier fresh
        require(isKnownRoot(w.root), "Pool: unknown root");
        require(!nullifierSpent[w.nullifier], "Pool: nullifier already spent");
        // Verify a fee goes to someone (the circuit proves fee <= amount)
        require(w.relayer != address(0) || w.fee == 0, "Pool: fee without a relayer");
        // Verify the proof over [root, nullifier, asset, amount, recipient, relayer, fee, change_commitment]
        uint256[8] memory input = [
            w.root, w.nullifier, uint256(uint160(address(w.asset))), w.amount, uint256(uint160(w.recipient)),
            uint256(uint160(w.relayer)), w.fee, w.changeCommitment
        ];
        require(withdrawVerifier.verifyProof(proof.a, proof.b, proof.c, input), "Pool: invalid withdraw proof");
        nullifierSpent[w.nullifier] = true;
        uint256[] memory leaves = new uint256[](1);
        leaves[0] = w.changeCommitment;
        uint256 leafIndex = _insert(leaves);
        emit Withdrawn(w.nullifier, address(w.asset), w.recipient, w.amount, w.relayer, w.fee, w.changeCommitment,
                       leafIndex, changeMemo);
        w.asset.safeTransfer(w.recipient, w.amount - w.fee);
        if (w.fee > 0) w.asset.safeTransfer(w.relayer, w.fee);
    }
}
