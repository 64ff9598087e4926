console.log("hello from idpctl", process.argv.slice(2));
