// Fixture script for the UI server's tests: repeated so that its precompressed variants are smaller.
console.log("fixture app: one two three four five six seven eight nine ten");
console.log("fixture app: one two three four five six seven eight nine ten");
console.log("fixture app: one two three four five six seven eight nine ten");
console.log("fixture app: one two three four five six seven eight nine ten");
