"""Files people send: fetched from their channel after the message is kept, stored under the
data folder, shown to staff who may see the person, deleted with the person."""
