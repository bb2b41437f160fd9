echo "from a file: {inputs.x}" > {outputs.out}
