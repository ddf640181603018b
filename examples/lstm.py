"""A character-level LSTM that makes up English-looking words, on the same data, recipe and
flags as gpt.py: an embedding, nn.LSTM (batch_first) and a linear head; at step t the LSTM's
state has read characters 0..t, so like the GPT it predicts each next character from the ones
before it, here through a recurrence instead of attention.

    python examples/lstm.py                      # the default recipe (see the README)
    python examples/lstm.py --compare-torch      # PyTorch side by side, same init and batches
    python examples/lstm.py --steps 50 --hidden-size 32   # a quick try
"""
from __future__ import annotations

from typing import Any

import words
import word_training


def build_model(nn: Any, vocab_size: int = len(words.ALPHABET), embedding_dim: int = 32, hidden_size: int = 128,
                num_layers: int = 1) -> Any:
    """The model in our nn or in torch.nn (same code). Input (B, T) token ids, output
    (B, T, vocab_size) logits."""

    class CharLSTM(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embedding = nn.Embedding(vocab_size, embedding_dim)
            self.lstm = nn.LSTM(embedding_dim, hidden_size, num_layers=num_layers, batch_first=True)
            self.head = nn.Linear(hidden_size, vocab_size)

        def forward(self, tokens: Any) -> Any:
            states, _ = self.lstm(self.embedding(tokens))  # (B, T, hidden): the top layer's h at every step
            return self.head(states)

    return CharLSTM()


def main(argv: list[str] | None = None) -> None:
    parser = word_training.parser(__doc__.splitlines()[0], steps=2000, lr=1e-2)
    parser.add_argument("--embedding-dim", type=int, default=32)
    parser.add_argument("--hidden-size", type=int, default=128)
    parser.add_argument("--num-layers", type=int, default=1)
    args = parser.parse_args(argv)

    def build(nn: Any) -> Any:
        return build_model(nn, embedding_dim=args.embedding_dim, hidden_size=args.hidden_size, num_layers=args.num_layers)

    word_training.main(args, build, "lstm")


if __name__ == "__main__":
    main()
