#!/usr/bin/env python3
"""Builds Tests/DataFilesTests/Files/study.sqlite from the bundled CSV files
with Python's sqlite3 module: table `veteran` (Datasets/veteran.csv) with
declared column types, and table `adtte` (Tests/DataFilesTests/Files/adtte.csv,
written by make-stat-files.R). Run from the repository root."""
import csv
import os
import sqlite3

out = "Tests/DataFilesTests/Files/study.sqlite"
if os.path.exists(out):
    os.remove(out)
db = sqlite3.connect(out)


def load(name, path, types):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    columns = list(rows[0].keys())
    db.execute(f'CREATE TABLE "{name}" (' + ", ".join(f'"{c}" {types.get(c, "TEXT")}' for c in columns) + ")")
    def value(c, v):
        if v in ("", "NA"):
            return None
        t = types.get(c, "TEXT")
        return int(v) if t == "INTEGER" else float(v) if t == "REAL" else v
    db.executemany(f'INSERT INTO "{name}" VALUES (' + ", ".join("?" for _ in columns) + ")",
                   [[value(c, r[c]) for c in columns] for r in rows])


load("veteran", "Datasets/veteran.csv",
     {"trt": "INTEGER", "time": "INTEGER", "status": "INTEGER", "karno": "INTEGER", "diagtime": "INTEGER",
      "age": "INTEGER", "prior": "INTEGER"})
load("adtte", "Tests/DataFilesTests/Files/adtte.csv", {"AVAL": "REAL", "CNSR": "INTEGER"})
db.commit()
db.close()
print("wrote", out)
