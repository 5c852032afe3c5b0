"""
====================================
Looking at Galaxy Zoo vote fractions
====================================

Galaxy Zoo volunteers classified galaxies by answering a decision tree of 11
questions; the Kaggle challenge gives, for each galaxy, the fraction of
volunteers who chose each of the 37 answers. This example looks at such votes
the way Hildebrandt's Galaxy Zoo report does (see :ref:`references`), on
synthetic galaxies whose votes :func:`~skgalaxy.datasets.make_galaxies` derives
from their true shapes:

- the galaxy the volunteers were surest of, for each answer;
- one galaxy's 37 fractions, grouped by question, beside a model's prediction;
- a model's error on each answer, against the mean-vote baseline.
"""

# %%
# Votes come with the images
# --------------------------
# ``N_GALAXIES`` keeps the gallery fast; raise it for steadier numbers.
import numpy as np
from sklearn.linear_model import Ridge
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from skgalaxy.baseline import PixelBaselineRegressor
from skgalaxy.datasets import QUESTIONS, make_galaxies, normalize_votes
from skgalaxy.metrics import kaggle_rmse, rmse_per_answer
from skgalaxy.plotting import (
    plot_most_confident,
    plot_rmse_per_answer,
    plot_vote_fractions,
)
from skgalaxy.preprocessing import Coarsen, Flatten

N_GALAXIES = 1500

X, y, votes = make_galaxies(
    N_GALAXIES, image_size=48, return_votes=True, random_state=0
)
print(X.shape, votes.shape)
print(QUESTIONS[0].text, [a.description for a in QUESTIONS[0].answers])

# %%
# The most confident galaxy for each answer of the first questions: smooth,
# featured or disk, star; edge-on or not; bar or not; spiral arms or not.
first_answers = [a.column for q in QUESTIONS[:4] for a in q.answers]
fig = plot_most_confident(X, votes, answers=first_answers, ncols=9)

# %%
# A model of the votes
# --------------------
# A ridge regression on coarsened pixels predicts all 37 fractions at once;
# :func:`~skgalaxy.datasets.normalize_votes` then makes its output consistent
# with the tree (each question's answers sum to the fraction that reached it).
X_train, X_test, v_train, v_test = train_test_split(X, votes, random_state=0)
model = make_pipeline(Coarsen(factor=4), Flatten(), Ridge(alpha=10.0))
predicted = normalize_votes(model.fit(X_train, v_train).predict(X_test))
mean = PixelBaselineRegressor(strategy="mean").fit(X_train, v_train)
print(f"Kaggle RMSE, ridge on pixels: {kaggle_rmse(v_test, predicted):.4f}")
print(f"Kaggle RMSE, mean votes:      {kaggle_rmse(v_test, mean.predict(X_test)):.4f}")

# %%
# One galaxy's votes and the prediction, question by question.
i = int(np.argmax(v_test[:, 0]))  # the smoothest test galaxy
ax = plot_vote_fractions(v_test[i], predicted=predicted[i], title=f"test galaxy {i}")

# %%
# Where the model gains on the mean
# ---------------------------------
# The per-answer RMSE of both: the first questions, which the images answer
# directly, improve most.
ax = plot_rmse_per_answer(
    {
        "mean votes": rmse_per_answer(v_test, mean.predict(X_test)),
        "ridge on pixels": rmse_per_answer(v_test, predicted),
    },
    title="RMSE per answer",
)
