"""A character-level GPT that makes up English-looking words (makemore's task, nanoGPT's model):
token and position embeddings, pre-LayerNorm blocks of causal multi-head self-attention and a
GELU MLP, a final LayerNorm and a linear head (optionally tied to the token embedding),
trained with AdamW, a warm-up + cosine learning rate and gradient clipping.

    python examples/gpt.py                       # the default recipe (see the README)
    python examples/gpt.py --compare-torch       # PyTorch side by side, same init and batches
    python examples/gpt.py --steps 50 --n-embd 16 --n-layer 1   # a quick try
"""
from __future__ import annotations

from typing import Any

import words
import word_training


def build_model(nn: Any, vocab_size: int = len(words.ALPHABET), block_size: int = words.MAX_LENGTH + 1, n_embd: int = 64,
                n_head: int = 4, n_layer: int = 4, tie_weights: bool = False) -> Any:
    """The GPT in our nn or in torch.nn (same code: the names, layouts and calls agree).
    Input (B, T) token ids, T ≤ block_size; output (B, T, vocab_size) logits, where the
    logits at position t depend on tokens 0..t only."""
    F = nn.functional

    class CausalSelfAttention(nn.Module):
        """n_head heads of size n_embd / n_head; each position attends to itself and before."""

        def __init__(self) -> None:
            super().__init__()
            self.qkv = nn.Linear(n_embd, 3 * n_embd)  # the three projections as one matmul
            self.proj = nn.Linear(n_embd, n_embd)

        def forward(self, x: Any) -> Any:
            batch, length, _ = x.shape
            q, k, v = (t.reshape(batch, length, n_head, n_embd // n_head).transpose(1, 2) for t in self.qkv(x).split(n_embd, dim=2))
            heads = F.scaled_dot_product_attention(q, k, v, is_causal=True)  # (B, H, T, D)
            return self.proj(heads.transpose(1, 2).reshape(batch, length, n_embd))

    class Block(nn.Module):
        """Pre-LayerNorm: x + attention(norm(x)), then x + MLP(norm(x))."""

        def __init__(self) -> None:
            super().__init__()
            self.ln1 = nn.LayerNorm(n_embd)
            self.attn = CausalSelfAttention()
            self.ln2 = nn.LayerNorm(n_embd)
            self.mlp = nn.Sequential(nn.Linear(n_embd, 4 * n_embd), nn.GELU(approximate="tanh"), nn.Linear(4 * n_embd, n_embd))

        def forward(self, x: Any) -> Any:
            x = x + self.attn(self.ln1(x))
            return x + self.mlp(self.ln2(x))  # GELU in GPT-2's tanh form: numpy has no fast erf

    class GPT(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.tok_emb = nn.Embedding(vocab_size, n_embd)
            self.pos_emb = nn.Embedding(block_size, n_embd)
            self.blocks = nn.Sequential(*[Block() for _ in range(n_layer)])
            self.ln_f = nn.LayerNorm(n_embd)
            self.head = nn.Linear(n_embd, vocab_size, bias=False)
            if tie_weights:  # one matrix both embeds tokens and scores them (state_dict keeps both names)
                self.head.weight = self.tok_emb.weight
            self.apply(self._init_weights)

        @staticmethod
        def _init_weights(module: Any) -> None:
            """nanoGPT's: N(0, 0.02) weights, zero biases (LayerNorm keeps 1 and 0)."""
            if isinstance(module, (nn.Linear, nn.Embedding)):
                nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if isinstance(module, nn.Linear) and module.bias is not None:
                nn.init.zeros_(module.bias)

        def forward(self, tokens: Any) -> Any:
            length = tokens.shape[1]
            if length > block_size:
                raise ValueError(f"GPT: sequences of at most {block_size} tokens; got {length}")
            x = self.tok_emb(tokens) + self.pos_emb.weight[:length]  # positions 0..T-1 broadcast over the batch
            return self.head(self.ln_f(self.blocks(x)))

    return GPT()


def main(argv: list[str] | None = None) -> None:
    parser = word_training.parser(__doc__.splitlines()[0], steps=2000, lr=3e-3)
    parser.add_argument("--n-embd", type=int, default=64)
    parser.add_argument("--n-head", type=int, default=4)
    parser.add_argument("--n-layer", type=int, default=4)
    parser.add_argument("--tie-weights", action="store_true", help="the head reuses the token embedding matrix")
    args = parser.parse_args(argv)

    def build(nn: Any) -> Any:
        return build_model(nn, n_embd=args.n_embd, n_head=args.n_head, n_layer=args.n_layer, tie_weights=args.tie_weights)

    word_training.main(args, build, "gpt")


if __name__ == "__main__":
    main()
