"""Nothing lost (issue 16): a wallet that has traded is deleted and rebuilt from its words and the
chain alone, with real proofs on the real pool (the embedded chain, and anvil when installed);
and the wallet file on disk holds no plaintext secret."""

from dataclasses import dataclass
from pathlib import Path

import pytest

from protocol.chain import devnet
from protocol.chain.client import Chain
from protocol.chain.signer import LocalAccount, fund, new_private_key
from protocol.memo import RECEIVED, recover_note
from protocol.params import BUY, PRICE_SCALE, SELL
from protocol.recovery import restore, scan
from protocol.seed import new_words
from protocol.trader import Trader
from protocol.vault import ScryptCost
from protocol.wallet import Wallet, WalletError

from ..support.tools import require_anvil
from .test_market import Market, _market, settle_all

pytestmark = pytest.mark.slow

S = PRICE_SCALE
PASSPHRASE = "erin's long passphrase"
FAST = ScryptCost(log_n=10)


@dataclass
class Traded:
    market: Market
    words: str
    path: Path
    notes: list  # erin's notes after trading, as (asset, amount, commitment, leaf, status, key index)
    balances: dict
    counter: str
    secrets: dict  # name -> int, every secret the file must not hold


def _shielded_wallet(market: Market, name: str, words: str, deposits: list[tuple[str, int]]) -> Trader:
    t = Trader(Wallet.create(market.home / f"{name}.wallet", name, passphrase=PASSPHRASE, words=words, cost=FAST),
               market.pool, market.keys)
    fund(market.chain, t.address, 10**19)
    for token, amount in deposits:
        market.chain.transact(market.pool.token(token).functions.mint(t.address, amount), sender=market.chain.accounts[0])
        t.deposit(token, amount)
    return t


def _note_rows(wallet: Wallet) -> list[tuple]:
    return sorted((n.asset, n.amount, n.commitment, n.leaf_index, n.status, n.key_index)
                  for n in wallet.notes() if n.status in ("live", "spent"))


def _trade(market: Market) -> Traded:
    """erin deposits twice, sweeps two sellers with one buy order, and withdraws part of a note."""
    base, quote = market.token("BASE"), market.token("QUOTE")
    words = new_words()
    erin = _shielded_wallet(market, "erin", words, [(quote, 10_000), (base, 3)])
    sellers = [market.trader(name, base, 4) for name in ("restore-carol", "restore-dave")]
    m = market.matcher("restore")
    for seller, price in zip(sellers, (145, 146)):
        assert m.submit(seller.place_order(SELL, base, quote, 4, price * S)) == []
    trades = m.submit(erin.place_order(BUY, base, quote, 8, 150 * S))
    assert [(t.fill.base_amount, t.fill.quote_amount) for t in trades] == [(4, 580), (4, 584)]
    settle_all(market, m, [*sellers, erin])
    assert [t.state for t in m.store.trades()] == ["settled"] * 2
    erin.withdraw(base, 2, LocalAccount(market.chain, new_private_key()).address)  # from the 3-BASE note
    erin.sync()
    assert erin.wallet.pending_operations() == [] and erin.wallet.notes("pending") == []
    w = erin.wallet
    secrets = {"spending key": w.spending_key, "account key": int(w.account_key, 16),
               "order secret": int.from_bytes(w.order_secret, "big"),
               **{f"blinding of note {n.key_index}": n.blinding for n in w.notes()},
               **{f"salt of order {o['order_id']}": int(o["salt"]) for o in w.orders()}}
    traded = Traded(market, words, w.path, _note_rows(w), w.balances(), w.meta("note_counter"), secrets)
    w.close()
    return traded


@pytest.fixture(scope="module")
def embedded_traded(protocol_keys, tmp_path_factory):
    return _trade(_market(Chain.embedded_chain(), protocol_keys, tmp_path_factory.mktemp("restore")))


@pytest.fixture(scope="module")
def anvil_traded(protocol_keys, tmp_path_factory):
    require_anvil()
    state = tmp_path_factory.mktemp("anvil-restore")
    node = devnet.up(state / "devnet")
    try:
        yield _trade(_market(Chain.connect(node.url), protocol_keys, tmp_path_factory.mktemp("restore-anvil")))
    finally:
        devnet.down(state / "devnet")


@pytest.fixture(params=["embedded", pytest.param("anvil", marks=pytest.mark.node)])
def traded(request) -> Traded:
    return request.getfixturevalue(f"{request.param}_traded")


def _encodings(value: int) -> list[bytes]:
    """How a secret could sit in a file: decimal, hex (padded or not, either case), 32 bytes big-endian."""
    h = f"{value:x}"
    return [str(value).encode(), h.encode(), h.upper().encode(), f"{value:064x}".encode(), value.to_bytes(32, "big")]


def test_the_wallet_file_holds_no_plaintext_secret(traded):
    files = [p for p in traded.path.parent.iterdir() if p.name.startswith(traded.path.name)]
    assert traded.path in files
    blobs = {p.name: p.read_bytes() for p in files}
    assert len(traded.secrets) >= 3 + 7  # the keys, and the blindings of erin's 7 notes at least
    for name, value in traded.secrets.items():
        for encoded in _encodings(value):
            for file, blob in blobs.items():
                assert encoded not in blob, f"{name} found in {file}"
    words = traded.words.split()
    for pair in zip(words, words[1:]):
        for file, blob in blobs.items():
            assert " ".join(pair).encode() not in blob, f"two seed words found in {file}"
    for p in files:
        assert p.stat().st_mode & 0o777 == 0o600, p


def test_a_viewing_key_sees_the_notes_but_not_their_spending(traded):
    from protocol.memo import ViewingKey
    from protocol.seed import WalletKeys

    keys = WalletKeys.from_words(traded.words)
    auditor = ViewingKey.from_export(keys.viewing_key.export())
    found = scan(traded.market.pool, auditor, keys.owner)
    seen = {(f.note.asset, f.note.amount, f.commitment, f.leaf_index, f.memo.index) for f in found}
    assert {(a, m, c, leaf, index) for a, m, c, leaf, _, index in traded.notes} <= seen
    # Someone else's viewing key opens none of them.
    assert scan(traded.market.pool, WalletKeys.from_words(new_words()).viewing_key, keys.owner) == []
    # A memo is bound to its note: a received note's memo does not open for its neighbour's commitment.
    tree = traded.market.pool.tree()
    settlement = traded.market.pool.settlements()[0]
    buy_received = settlement.buy_memo[:128]
    assert recover_note(auditor, keys.owner, buy_received, tree.leaves[settlement.first_leaf_index])[0].kind == RECEIVED
    assert recover_note(auditor, keys.owner, buy_received, tree.leaves[settlement.first_leaf_index + 1]) is None


def test_a_deleted_wallet_is_restored_from_its_words_and_spends(traded, tmp_path):
    market = traded.market
    for p in list(traded.path.parent.iterdir()):
        if p.name.startswith(traded.path.name):
            p.unlink()
    fresh = tmp_path / "new-machine" / "erin.wallet"
    w = Wallet.create(fresh, passphrase="another passphrase", words=traded.words, cost=FAST)
    found = restore(w, market.pool)
    assert len(found) == len(traded.notes) == 7
    assert _note_rows(w) == traded.notes  # same notes, leaves, statuses and derivation indices
    assert w.balances() == traded.balances
    assert w.meta("note_counter") == traded.counter  # the next note takes a fresh blinding
    assert {f.kind for f in found} == {"deposit", "received", "change"}
    with pytest.raises(WalletError, match="already has notes"):
        restore(w, market.pool)
    # Spend one restored note: a withdrawal proven from what the chain gave back.
    t = Trader(w, market.pool, market.keys)
    t.sync()
    base = market.token("BASE")
    recipient = LocalAccount(market.chain, new_private_key()).address
    change, _ = t.withdraw(base, 4, recipient)
    assert market.pool.token_balance(base, recipient) == 4
    assert change.status == "live" and change.key_index == int(traded.counter)
    assert w.balances()[int(base, 16)]["live"] == traded.balances[int(base, 16)]["live"] - 4


@pytest.mark.node
def test_cli_restore_from_words_on_a_devnet(protocol_keys, tmp_path):
    """The commands a user types: create (words on stderr), deposit, lose the file, restore
    from the words, see the same balance; an auditor's listing; a wrong passphrase is one line."""
    import json

    from mnemonic import Mnemonic

    from ..support.tools import assert_one_line_error, zktrade

    require_anvil()
    node = devnet.up(tmp_path / "devnet")
    pw = {"ZKTRADE_WALLET_PASSPHRASE": "pw"}
    chain_args = ["--rpc", node.url, "--keys", str(protocol_keys)]

    def run(*args, env=pw, chain=True):
        done = zktrade(*args, *(chain_args if chain else []), cwd=tmp_path, env=env)
        assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
        return done

    try:
        run("deploy")
        created = run("wallet", "create", "erin.wallet", chain=False)
        english = Mnemonic("english")
        (words,) = [line.strip() for line in created.stderr.splitlines() if english.check(line.strip())]
        run("faucet", "--token", "QUOTE", "--amount", "50", "--wallet", "erin.wallet")
        run("deposit", "--wallet", "erin.wallet", "--token", "QUOTE", "--amount", "30")
        run("deposit", "--wallet", "erin.wallet", "--token", "QUOTE", "--amount", "12")
        before = json.loads(run("balance", "--wallet", "erin.wallet", "--json").stdout)
        assert_one_line_error(zktrade("balance", "--wallet", "erin.wallet", *chain_args, cwd=tmp_path,
                                      env={"ZKTRADE_WALLET_PASSPHRASE": "not pw"}), "wrong passphrase")
        keys = run("wallet", "export-viewing-key", "--wallet", "erin.wallet", chain=False).stdout.split()
        viewing_key, owner = keys[keys.index("key:") + 1], keys[keys.index("tag:") + 1]
        for p in list(tmp_path.iterdir()):
            if p.name.startswith("erin.wallet"):
                p.unlink()
        restored = run("wallet", "restore", "erin2.wallet", "--words", words)
        assert "2 note(s) found on chain, 2 live" in restored.stdout
        assert json.loads(run("balance", "--wallet", "erin2.wallet", "--json").stdout) == before
        audit = json.loads(run("wallet", "audit", "--viewing-key", viewing_key, "--owner", owner, "--json").stdout)
        assert sorted(int(n["amount"]) for n in audit["notes"]) == [12 * 10**18, 30 * 10**18]
        assert {n["kind"] for n in audit["notes"]} == {"deposit"}
        again = zktrade("wallet", "restore", "erin2.wallet", "--words", words, *chain_args, cwd=tmp_path, env=pw)
        assert_one_line_error(again, "already exists")
    finally:
        devnet.down(tmp_path / "devnet")
