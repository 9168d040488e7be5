"""Solver: trains a classification model with minibatch first-order updates.

A model passed to the Solver must have
  - model.params: dict from parameter name to numpy array;
  - model.loss(X, y): (loss, grads) with grads shaped like model.params when
    y is given, and class scores (N, C) when y is None.

Example:
    solver = Solver(model, data, update_rule='adam',
                    optim_config={'learning_rate': 1e-3},
                    num_epochs=10, batch_size=100, print_every=100)
    solver.train()

After train(), model.params holds the parameters that reached the best
validation accuracy, and solver.loss_history, solver.train_acc_history and
solver.val_acc_history hold the curves.
"""
import os
import pickle

import numpy as np

from . import optim


class Solver(object):
    def __init__(self, model, data, **kwargs):
        """
        model: object with .params and .loss as above
        data: dict with 'X_train', 'y_train', 'X_val', 'y_val'
        Keyword arguments:
          update_rule: name of a rule in cs231n.optim ('sgd')
          optim_config: hyperparameters of the rule ({})
          lr_decay: learning-rate multiplier applied after each epoch (1.0)
          batch_size: minibatch size (100)
          num_epochs: epochs to train (10)
          num_train_samples: training samples used to estimate accuracy (1000)
          num_val_samples: validation samples used (None: all)
          checkpoint_name: if set, a checkpoint is pickled after every epoch
          print_every: print the loss every this many iterations (10)
          verbose: print progress (True)
        """
        self.model = model
        self.X_train = data["X_train"]
        self.y_train = data["y_train"]
        self.X_val = data["X_val"]
        self.y_val = data["y_val"]

        self.update_rule = kwargs.pop("update_rule", "sgd")
        self.optim_config = kwargs.pop("optim_config", {})
        self.lr_decay = kwargs.pop("lr_decay", 1.0)
        self.batch_size = kwargs.pop("batch_size", 100)
        self.num_epochs = kwargs.pop("num_epochs", 10)
        self.num_train_samples = kwargs.pop("num_train_samples", 1000)
        self.num_val_samples = kwargs.pop("num_val_samples", None)
        self.checkpoint_name = kwargs.pop("checkpoint_name", None)
        self.print_every = kwargs.pop("print_every", 10)
        self.verbose = kwargs.pop("verbose", True)

        if len(kwargs) > 0:
            extra = ", ".join('"%s"' % k for k in list(kwargs.keys()))
            raise ValueError("Unrecognized arguments %s" % extra)

        if not hasattr(optim, self.update_rule):
            raise ValueError('Invalid update_rule "%s"' % self.update_rule)
        self.update_rule = getattr(optim, self.update_rule)

        self._reset()

    def _reset(self):
        """Set up the bookkeeping; called by __init__, not by users."""
        self.epoch = 0
        self.best_val_acc = 0
        self.best_params = {}
        self.loss_history = []
        self.train_acc_history = []
        self.val_acc_history = []

        # Each parameter gets its own copy of the config: rules keep state in it.
        self.optim_configs = {p: dict(self.optim_config) for p in self.model.params}

    def _step(self):
        """One gradient update on a random minibatch (drawn with replacement)."""
        num_train = self.X_train.shape[0]
        batch_mask = np.random.choice(num_train, self.batch_size)
        X_batch = self.X_train[batch_mask]
        y_batch = self.y_train[batch_mask]

        loss, grads = self.model.loss(X_batch, y_batch)
        self.loss_history.append(loss)

        for p, w in self.model.params.items():
            next_w, next_config = self.update_rule(w, grads[p], self.optim_configs[p])
            self.model.params[p] = next_w
            self.optim_configs[p] = next_config

    def _save_checkpoint(self):
        if self.checkpoint_name is None:
            return
        checkpoint = {
            "model": self.model,
            "update_rule": self.update_rule,
            "lr_decay": self.lr_decay,
            "optim_config": self.optim_config,
            "batch_size": self.batch_size,
            "num_train_samples": self.num_train_samples,
            "num_val_samples": self.num_val_samples,
            "epoch": self.epoch,
            "loss_history": self.loss_history,
            "train_acc_history": self.train_acc_history,
            "val_acc_history": self.val_acc_history,
        }
        filename = "%s_epoch_%d.pkl" % (self.checkpoint_name, self.epoch)
        if self.verbose:
            print('Saving checkpoint to "%s"' % filename)
        tmp = filename + ".tmp"
        with open(tmp, "wb") as f:
            pickle.dump(checkpoint, f)
        os.replace(tmp, filename)

    def check_accuracy(self, X, y, num_samples=None, batch_size=100):
        """Fraction of X classified as y by the model.

        If num_samples is given and smaller than N, a random subsample (with
        replacement) is scored. Scores are computed batch_size rows at a time.
        """
        N = X.shape[0]
        if num_samples is not None and N > num_samples:
            mask = np.random.choice(N, num_samples)
            N = num_samples
            X = X[mask]
            y = y[mask]

        num_batches = N // batch_size
        if N % batch_size != 0:
            num_batches += 1
        y_pred = []
        for i in range(num_batches):
            start, end = i * batch_size, (i + 1) * batch_size
            scores = self.model.loss(X[start:end])
            y_pred.append(np.argmax(scores, axis=1))
        y_pred = np.hstack(y_pred)
        return np.mean(y_pred == y)

    def train(self):
        """Run the optimisation, then restore the parameters with the best validation accuracy."""
        num_train = self.X_train.shape[0]
        iterations_per_epoch = max(num_train // self.batch_size, 1)
        num_iterations = self.num_epochs * iterations_per_epoch

        for t in range(num_iterations):
            self._step()

            if self.verbose and t % self.print_every == 0:
                print(
                    "(Iteration %d / %d) loss: %f"
                    % (t + 1, num_iterations, self.loss_history[-1])
                )

            epoch_end = (t + 1) % iterations_per_epoch == 0
            if epoch_end:
                self.epoch += 1
                for k in self.optim_configs:
                    self.optim_configs[k]["learning_rate"] *= self.lr_decay

            first_it = t == 0
            last_it = t == num_iterations - 1
            if first_it or last_it or epoch_end:
                train_acc = self.check_accuracy(
                    self.X_train, self.y_train, num_samples=self.num_train_samples
                )
                val_acc = self.check_accuracy(
                    self.X_val, self.y_val, num_samples=self.num_val_samples
                )
                self.train_acc_history.append(train_acc)
                self.val_acc_history.append(val_acc)
                self._save_checkpoint()

                if self.verbose:
                    print(
                        "(Epoch %d / %d) train acc: %f; val acc: %f"
                        % (self.epoch, self.num_epochs, train_acc, val_acc)
                    )

                if val_acc > self.best_val_acc:
                    self.best_val_acc = val_acc
                    self.best_params = {k: v.copy() for k, v in self.model.params.items()}

        # Keep the best model seen; if validation never improved on 0, keep the last.
        if self.best_params:
            self.model.params = self.best_params
