// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IPoseidon2, MerkleTreeWithHistory} from "./MerkleTreeWithHistory.sol";

/// The settlement-leg verifier (generated with the pair function): 7 public inputs.
interface ILegVerifier {
    function verifyProofPair(
        uint256[2] calldata a1, uint256[2][2] calldata b1, uint256[2] calldata c1, uint256[7] calldata input1,
        uint256[2] calldata a2, uint256[2][2] calldata b2, uint256[2] calldata c2, uint256[7] calldata input2
    ) external view returns (bool);
}

/// The withdraw verifier: 6 public inputs.
interface IWithdrawVerifier {
    function verifyProof(uint256[2] calldata a, uint256[2][2] calldata b, uint256[2] calldata c, uint256[6] calldata input)
        external view returns (bool);
}

/// The shielded pool: deposits, two-party settlements and withdrawals of ERC-20 notes.
/// docs/protocol.md is normative for every value; DESIGN.md §2 for what each proof proves.
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

    struct Proof {
        uint256[2] a;
        uint256[2][2] b;
        uint256[2] c;
    }

    /// One party's settlement proof and its public inputs:
    /// [root, nullifier, received_commitment, change_commitment, trade_commitment, order_commitment, side].
    struct Leg {
        Proof proof;
        uint256[7] input;
    }

    ILegVerifier public immutable legVerifier;
    IWithdrawVerifier public immutable withdrawVerifier;
    mapping(uint256 => bool) public nullifierSpent;
    mapping(uint256 => bool) public tradeSettled;

    event Deposited(address indexed asset, address indexed depositor, uint256 amount, uint256 innerHash,
                    uint256 commitment, uint256 leafIndex);
    event Settled(uint256 indexed tradeCommitment, uint256 buyNullifier, uint256 sellNullifier,
                  uint256 buyOrderCommitment, uint256 sellOrderCommitment, uint256 firstLeafIndex);
    event Withdrawn(uint256 indexed nullifier, address indexed asset, address indexed recipient, uint256 amount,
                    uint256 changeCommitment, uint256 leafIndex);

    constructor(IPoseidon2 poseidon_, ILegVerifier legVerifier_, IWithdrawVerifier withdrawVerifier_)
        MerkleTreeWithHistory(poseidon_)
    {
        legVerifier = legVerifier_;
        withdrawVerifier = withdrawVerifier_;
    }

    /// Shield `amount` of `asset`. The commitment H(H(asset, received), innerHash) is computed
    /// here from what the pool's balance actually grew by, so a note never claims more than
    /// arrived (a fee-on-transfer token yields a note of the net amount, reported in the event).
    function deposit(IERC20 asset, uint256 amount, uint256 innerHash) external nonReentrant returns (uint256 leafIndex) {
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
        emit Deposited(address(asset), msg.sender, received, innerHash, commitment, leafIndex);
    }

    /// Settle a matched trade: one buy leg and one sell leg binding the same fill.
    function settle(Leg calldata buyLeg, Leg calldata sellLeg) external nonReentrant {
        uint256[7] calldata buy = buyLeg.input;
        uint256[7] calldata sell = sellLeg.input;
        // Verify the sides
        require(buy[LEG_SIDE] == BUY && sell[LEG_SIDE] == SELL, "Pool: legs must be a buy and a sell");
        // Verify both legs bind the same, unsettled trade
        require(buy[LEG_TRADE] == sell[LEG_TRADE], "Pool: legs bind different trades");
        require(!tradeSettled[buy[LEG_TRADE]], "Pool: trade already settled");
        // Verify both roots are recent
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
        emit Settled(buy[LEG_TRADE], buy[LEG_NULLIFIER], sell[LEG_NULLIFIER], buy[LEG_ORDER], sell[LEG_ORDER], first);
    }

    /// Unshield `amount` of `asset` to `recipient`; the rest of the note comes back as
    /// `changeCommitment` (always appended; a zero-amount change note is fine). The proof binds
    /// the recipient, so a copied transaction cannot redirect the funds.
    function withdraw(
        Proof calldata proof,
        uint256 root,
        uint256 nullifier,
        IERC20 asset,
        uint256 amount,
        address recipient,
        uint256 changeCommitment
    ) external nonReentrant {
        // Verify the root is recent and the nullifier fresh
        require(isKnownRoot(root), "Pool: unknown root");
        require(!nullifierSpent[nullifier], "Pool: nullifier already spent");
        // Verify the proof over [root, nullifier, asset, amount, recipient, change_commitment]
        uint256[6] memory input =
            [root, nullifier, uint256(uint160(address(asset))), amount, uint256(uint160(recipient)), changeCommitment];
        require(withdrawVerifier.verifyProof(proof.a, proof.b, proof.c, input), "Pool: invalid withdraw proof");
        nullifierSpent[nullifier] = true;
        uint256[] memory leaves = new uint256[](1);
        leaves[0] = changeCommitment;
        uint256 leafIndex = _insert(leaves);
        emit Withdrawn(nullifier, address(asset), recipient, amount, changeCommitment, leafIndex);
        asset.safeTransfer(recipient, amount);
    }
}
