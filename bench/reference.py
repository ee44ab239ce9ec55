"""Reference models on the same split: LightGBM 4.x and scikit-learn logistic regression, with
the preprocessing of the data README (drop ID, constants, the two duplicate columns and the
free-text names). Prints one JSON object on stdout; progress on stderr."""
import json
import sys
import time

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.impute import SimpleImputer

data_dir, threads = sys.argv[1], int(sys.argv[2])
names = pd.read_csv(f"{data_dir}/variables.csv")["unique_name"].tolist()
missing = ["NULL", " ", "", "#DIV/0!", "NUL"]
read = lambda name: pd.read_csv(f"{data_dir}/{name}", sep="\t", header=None, names=names, encoding="latin-1",
                                na_values=missing, keep_default_na=False, dtype=str)
train, valid = read("train.tsv"), read("valid.tsv")
drop = ["ID_CLIENT", "TARGET", "QUANT_SPECIAL_BANKING_ACCOUNTS", "PROFESSIONAL_ZIP_3", "CITY_OF_BIRTH", "RESIDENCIAL_CITY",
        "RESIDENCIAL_BOROUGH", "PROFESSIONAL_CITY", "PROFESSIONAL_BOROUGH"]
drop += [c for c in names if c not in drop and train[c].nunique(dropna=False) <= 1]
numeric = ["QUANT_DEPENDANTS", "MONTHS_IN_RESIDENCE", "PERSONAL_MONTHLY_INCOME", "OTHER_INCOMES", "QUANT_BANKING_ACCOUNTS",
           "PERSONAL_ASSETS_VALUE", "QUANT_CARS", "MONTHS_IN_THE_JOB", "AGE"]
features = [c for c in names if c not in drop]
categorical = [c for c in features if c not in numeric]
y_train, y_valid = train["TARGET"].astype(int).values, valid["TARGET"].astype(int).values


def frame(df):
    out = pd.DataFrame(index=df.index)
    for c in numeric:
        out[c] = pd.to_numeric(df[c], errors="coerce")
    for c in categorical:
        out[c] = df[c].fillna("missing").str.strip().str.upper()
    return out


X_train, X_valid = frame(train), frame(valid)


def rows_per_second(predict, X):
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < 1.0:
        predict(X)
        count += len(X)
    return count / (time.perf_counter() - start)


# LightGBM with native categoricals and early stopping on valid.
lgb_train, lgb_valid = X_train.copy(), X_valid.copy()
for c in categorical:
    # Categories seen in training only; unseen validation values become missing, as at scoring time.
    categories = sorted(lgb_train[c].unique())
    lgb_train[c] = pd.Categorical(lgb_train[c], categories=categories)
    lgb_valid[c] = pd.Categorical(lgb_valid[c].where(lgb_valid[c].isin(categories)), categories=categories)
params = dict(objective="binary", learning_rate=0.01, num_leaves=31, min_data_in_leaf=100, feature_fraction=0.7,
              bagging_fraction=0.8, bagging_freq=1, lambda_l2=10.0, cat_smooth=50, min_data_per_group=100,
              num_threads=threads, verbose=-1, seed=1)
start = time.perf_counter()
booster = lgb.train(params, lgb.Dataset(lgb_train, y_train), num_boost_round=5000, valid_sets=[lgb.Dataset(lgb_valid, y_valid)],
                    callbacks=[lgb.early_stopping(100, verbose=False)])
lgb_seconds = time.perf_counter() - start
lgb_auc = roc_auc_score(y_valid, booster.predict(lgb_valid, num_iteration=booster.best_iteration))
lgb_rps = rows_per_second(lambda X: booster.predict(X, num_iteration=booster.best_iteration, num_threads=1), lgb_valid)
print(f"lightgbm: AUC {lgb_auc:.4f}, {booster.best_iteration} trees, {lgb_seconds:.2f} s", file=sys.stderr)

# scikit-learn logistic regression: one-hot categoricals, standardized numerics.
logistic = make_pipeline(ColumnTransformer([
    ("numeric", make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler()), numeric),
    ("categorical", OneHotEncoder(handle_unknown="ignore", min_frequency=20), categorical)]),
    LogisticRegression(C=0.1, max_iter=5000))
start = time.perf_counter()
logistic.fit(X_train, y_train)
lr_seconds = time.perf_counter() - start
lr_auc = roc_auc_score(y_valid, logistic.predict_proba(X_valid)[:, 1])
lr_rps = rows_per_second(lambda X: logistic.predict_proba(X), X_valid)
print(f"sklearn logistic: AUC {lr_auc:.4f}, {lr_seconds:.2f} s", file=sys.stderr)

print(json.dumps({
    "lightgbm": {"auc": lgb_auc, "train_seconds": lgb_seconds, "rows_per_second": lgb_rps, "trees": booster.best_iteration,
                 "version": lgb.__version__},
    "sklearn_logistic": {"auc": lr_auc, "train_seconds": lr_seconds, "rows_per_second": lr_rps},
}))
